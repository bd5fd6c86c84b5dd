/**
 * Rules on agent.ps1's syntax tree (tree-sitter grammar, test/support/powershell-syntax.ts)
 * for what real Windows would do to the agent and no simulated host can show:
 * - secrets:   nothing derived from the request's secrets ($ChainsmithSecret, $PayloadKey)
 *              is an argument of a command, cmdlet, native program or script function (Module
 *              Logging records a cmdlet's parameters, a command line is visible), or reaches a
 *              verb's or step's output: secrets go to .NET methods only;
 * - filters:   no -IPAddress/-HostHeader parameters (WebAdministration's are wildcard filters);
 * - policy:    every X509Chain made sets ApplicationPolicy to serverAuth, as Schannel does;
 * - checks:    no chain is built outside the chain verb (building one starts automatic root
 *              update: a download, and a stall of about 15 s per URL offline);
 * - output:    a step's only output is its line of words: every other call's output is voided.
 * Each returns its findings as "function (line N): what".
 */
import { PsNode, nodes } from "./powershell-syntax";

const SOURCES = new Set(["chainsmithsecret", "payloadkey"]);
const SRC = "<secret>";
/** Constructors whose result holds no secret: the certificate of a PFX (its key stays in the key store). */
const DECLASSIFIED = /X509Certificate2$/;
const STEP = /^(Invoke-Step_|Test-Step_)/;

interface Fn {
  name: string;
  params: string[];
  body: PsNode;
}

export interface Agent {
  functions: Map<string, Fn>;
  /** The script's own statements (outside functions) as a function of its param() block. */
  script: Fn;
}

export function readAgent(tree: PsNode): Agent {
  const functions = new Map<string, Fn>();
  const top = tree.c?.find((c) => c.t === "statement_list") ?? tree;
  for (const fn of [...nodes(tree)].filter((n) => n.t === "function_statement")) {
    const name = fn.c!.find((c) => c.t === "function_name")!.x!;
    const declaration = fn.c!.find((c) => c.t === "function_parameter_declaration");
    const params = declaration ? [...nodes(declaration)].filter((n) => n.t === "variable").map((n) => varName(n.x!)) : [];
    functions.set(name, { name, params, body: fn.c!.find((c) => c.t === "script_block") ?? fn });
  }
  const paramBlock = [...nodes(tree)].find((n) => n.t === "param_block");
  const scriptParams = paramBlock ? [...nodes(paramBlock)].filter((n) => n.t === "variable").map((n) => varName(n.x!)) : [];
  const topStatements: PsNode = { t: "statement_list", l: top.l, c: (top.c ?? []).filter((c) => c.t !== "function_statement") };
  return { functions, script: { name: "<script>", params: scriptParams, body: topStatements } };
}

export function varName(text: string): string {
  return text.replace(/^[$@]/, "").replace(/^(script|global|local):/i, "").toLowerCase();
}

/** Every node of a function's own code: nested function definitions are theirs. */
function* own(node: PsNode): Generator<PsNode> {
  yield node;
  for (const child of node.c ?? []) if (child.t !== "function_statement") yield* own(child);
}

function text(node: PsNode): string {
  return node.x ?? (node.c ?? []).map(text).join(" ");
}

/** The script functions a command calls: one by name, or all with the prefix of a dynamic name ("Invoke-Step_$kind"). */
function callees(command: PsNode, agent: Agent): Fn[] | undefined {
  const named = command.c?.find((c) => c.t === "command_name");
  if (named) {
    const fn = agent.functions.get(named.x!);
    return fn ? [fn] : undefined;
  }
  const dynamic = command.c?.find((c) => c.t === "command_name_expr");
  const prefix = dynamic ? /^"([\w-]+_)\$/.exec(text(dynamic).replace(/\s+/g, ""))?.[1] : undefined;
  if (!prefix) return undefined;
  const matching = [...agent.functions.values()].filter((f) => f.name.startsWith(prefix));
  return matching.length > 0 ? matching : undefined;
}

function commandName(command: PsNode): string {
  return command.c?.find((c) => c.t === "command_name")?.x ?? text(command.c?.find((c) => c.t === "command_name_expr") ?? command);
}

/** A command's arguments with the parameter each binds to (positional ones to the callee's params in order). */
function argumentsOf(command: PsNode, callee?: Fn): Array<{ param?: string; value: PsNode }> {
  const elements = command.c?.find((c) => c.t === "command_elements")?.c ?? [];
  const out: Array<{ param?: string; value: PsNode }> = [];
  let named: string | undefined;
  let position = 0;
  for (const element of elements) {
    if (element.t === "command_parameter") {
      named = varName(element.x!.replace(/^-/, "").replace(/:$/, ""));
      continue;
    }
    out.push({ param: named ?? callee?.params[position++], value: element });
    named = undefined;
  }
  return out;
}

type Labels = Set<string>;

interface Summary {
  returns: Labels;
}

/** Taint labels: SRC for the secrets, a parameter's name for "whatever that parameter holds". */
class Taint {
  readonly summaries = new Map<string, Summary>();
  readonly envs = new Map<string, Map<string, Labels>>();
  readonly taintedParams = new Map<string, Set<string>>();

  constructor(readonly agent: Agent) {
    const all = [...agent.functions.values(), agent.script];
    for (let round = 0; round < 30; round++) {
      const before = JSON.stringify([...this.summaries].map(([k, v]) => [k, [...v.returns].sort()]));
      for (const fn of all) this.analyse(fn);
      if (JSON.stringify([...this.summaries].map(([k, v]) => [k, [...v.returns].sort()])) === before) break;
    }
    for (let round = 0; round < 30; round++) {
      let grew = false;
      for (const fn of all) {
        for (const call of [...own(fn.body)].filter((n) => n.t === "command")) {
          for (const callee of callees(call, agent) ?? []) {
            for (const { param, value } of argumentsOf(call, callee)) {
              if (!param || !this.resolved(this.labels(value, fn), fn)) continue;
              const set = this.taintedParams.get(callee.name) ?? new Set<string>();
              if (!set.has(param)) (set.add(param), (grew = true));
              this.taintedParams.set(callee.name, set);
            }
          }
        }
      }
      if (!grew) break;
    }
  }

  /** The labels hold a secret in this function's calling contexts. */
  resolved(labels: Labels, fn: Fn): boolean {
    return labels.has(SRC) || [...labels].some((p) => this.taintedParams.get(fn.name)?.has(p));
  }

  labels(node: PsNode, fn: Fn): Labels {
    const env = this.envs.get(fn.name) ?? new Map<string, Labels>();
    const out: Labels = new Set();
    const add = (ls: Iterable<string>) => {
      for (const l of ls) out.add(l);
    };
    if (node.t === "variable") {
      const name = varName(node.x!);
      if (SOURCES.has(name)) out.add(SRC);
      if (fn.params.includes(name)) out.add(name);
      add(env.get(name) ?? []);
      return out;
    }
    if (node.t === "command") {
      const targets = callees(node, this.agent);
      if (!targets) {
        for (const { value } of argumentsOf(node)) add(this.labels(value, fn));
        return out;
      }
      for (const callee of targets) {
        const returns = this.summaries.get(callee.name)?.returns ?? new Set<string>();
        if (returns.has(SRC)) out.add(SRC);
        for (const { param, value } of argumentsOf(node, callee)) if (param && returns.has(param)) add(this.labels(value, fn));
      }
      return out;
    }
    const type = node.t === "invokation_expression" ? node.c?.find((c) => c.t === "type_literal") : undefined;
    if (type && DECLASSIFIED.test(text(type).replace(/[\s[\]]/g, ""))) return out;
    if (node.t === "function_statement") return out;
    for (const child of node.c ?? []) add(this.labels(child, fn));
    return out;
  }

  private analyse(fn: Fn): void {
    const env = new Map<string, Labels>();
    this.envs.set(fn.name, env);
    for (let round = 0; round < 10; round++) {
      let grew = false;
      for (const node of own(fn.body)) {
        const pairs: Array<[PsNode | undefined, PsNode | undefined]> = [];
        if (node.t === "assignment_expression") pairs.push([node.c?.[0], node.c?.find((c) => c.t === "pipeline") ?? node.c?.[2]]);
        if (node.t === "foreach_statement") pairs.push([node.c?.find((c) => c.t === "variable"), node.c?.find((c) => c.t === "pipeline")]);
        for (const [left, right] of pairs) {
          const target = left && [...nodes(left)].find((n) => n.t === "variable");
          if (!target || !right) continue;
          const name = varName(target.x!);
          const labels = env.get(name) ?? new Set<string>();
          for (const l of this.labels(right, fn)) if (!labels.has(l)) (labels.add(l), (grew = true));
          env.set(name, labels);
        }
      }
      if (!grew) break;
    }
    const returns: Labels = new Set();
    for (const statement of outputStatements(fn.body)) for (const l of this.labels(statement, fn)) returns.add(l);
    this.summaries.set(fn.name, { returns });
  }
}

/** The statements whose value becomes the function's output: not assigned, not voided. */
function outputStatements(body: PsNode): PsNode[] {
  return statements(body).filter((s) => ["result", "call", "method", "value"].includes(classify(s).kind));
}

/** Statement-level pipelines and flow-control statements, through the blocks of if/foreach/try/while (not their conditions). */
function statements(node: PsNode): PsNode[] {
  const out: PsNode[] = [];
  for (const child of node.c ?? []) {
    if (child.t === "function_statement" || child.f === "condition") continue;
    if (child.t === "pipeline" || child.t === "flow_control_statement") {
      if (!/^(foreach|while|do|switch|if|elseif)_?/.test(node.t) || node.t.endsWith("_block")) out.push(child);
    } else if (!["sub_expression", "script_block_expression", "parenthesized_expression", "array_expression", "hash_literal_expression", "assignment_expression"].includes(child.t)) out.push(...statements(child));
  }
  return out;
}

type Statement =
  | { kind: "assigned" | "voided" | "throw" | "empty" }
  | { kind: "result" | "value" }
  | { kind: "call"; command: PsNode }
  | { kind: "method" };

function classify(statement: PsNode): Statement {
  if (statement.t === "flow_control_statement") {
    const keyword = statement.c?.[0]?.x;
    const value = statement.c?.find((c) => c.t === "pipeline");
    if (keyword === "throw") return { kind: "throw" };
    return value ? classify(value) : { kind: "empty" };
  }
  const first = statement.c?.[0];
  if (!first) return { kind: "empty" };
  if (first.t === "assignment_expression") return { kind: "assigned" };
  const chain = first.t === "pipeline_chain" ? (first.c ?? []) : [first];
  const elements = chain.filter((c) => c.t !== "|");
  const last = elements[elements.length - 1];
  if (last?.t === "command" && commandName(last) === "Out-Null") return { kind: "voided" };
  if (elements.length !== 1) return { kind: "value" };
  const only = elements[0].t === "expression_with_unary_operator" && elements[0].c?.length === 1 ? elements[0].c[0] : elements[0];
  if (only.t === "cast_expression" && /\[\s*void\s*\]/i.test(text(only.c?.[0] ?? only))) return { kind: "voided" };
  if (only.t === "command") return { kind: "call", command: only };
  if (only.t === "invokation_expression") return { kind: "method" };
  if (/string/.test(only.t)) return { kind: "result" };
  return { kind: "value" };
}

function functionOf(agent: Agent, name: string): Fn {
  const fn = agent.functions.get(name);
  if (!fn) throw new Error(`agent.ps1 has no function ${name}`);
  return fn;
}

export function secretFindings(agent: Agent): string[] {
  const taint = new Taint(agent);
  const findings: string[] = [];
  for (const fn of [...agent.functions.values(), agent.script]) {
    for (const node of own(fn.body)) {
      // Any command: a script function's parameters may be logged too (safe whether or not they are).
      if (node.t === "command") {
        for (const { value } of argumentsOf(node, callees(node, agent)?.[0])) {
          if (taint.resolved(taint.labels(value, fn), fn)) findings.push(`${fn.name} (line ${node.l}): ${commandName(node)} gets a value derived from the request's secrets`);
        }
      }
      if (node.t === "pipeline_chain") {
        const elements = (node.c ?? []).filter((c) => c.t !== "|");
        elements.slice(1).forEach((element, i) => {
          if (element.t === "command" && elements.slice(0, i + 1).some((e) => taint.resolved(taint.labels(e, fn), fn))) {
            findings.push(`${fn.name} (line ${element.l}): a value derived from the request's secrets is piped into ${commandName(element)}`);
          }
        });
      }
    }
    if (/^(Invoke-Verb_|Invoke-Step_|Test-Step_)/.test(fn.name) && taint.resolved(taint.summaries.get(fn.name)!.returns, fn)) {
      findings.push(`${fn.name}: its output is derived from the request's secrets`);
    }
  }
  return [...new Set(findings)];
}

export function filterFindings(agent: Agent): string[] {
  return [...agent.functions.values(), agent.script].flatMap((fn) =>
    [...own(fn.body)].filter((n) => n.t === "command_parameter" && /^-(IPAddress|HostHeader)\b/i.test(n.x!)).map((n) => `${fn.name} (line ${n.l}): ${n.x} is a wildcard filter; match bindingInformation exactly`),
  );
}

export function chainPolicyFindings(agent: Agent): string[] {
  const findings: string[] = [];
  for (const fn of [...agent.functions.values(), agent.script]) {
    const code = [...own(fn.body)];
    const makesChain = code.some((n) => (n.t === "invokation_expression" && /X509Chain\s*\]?\s*::\s*new/i.test(text(n).replace(/\s+/g, ""))) || (n.t === "command" && commandName(n) === "New-Object" && /X509Chain\b/.test(text(n))));
    if (!makesChain) continue;
    const setsPolicy = code.some((n) => n.t === "invokation_expression" && /ApplicationPolicy\s*\.\s*Add/.test(text(n)) && /1\.3\.6\.1\.5\.5\.7\.3\.1/.test(text(n)));
    if (!setsPolicy) findings.push(`${fn.name}: makes an X509Chain without ChainPolicy.ApplicationPolicy.Add('1.3.6.1.5.5.7.3.1') (serverAuth, as Schannel builds)`);
  }
  return findings;
}

/** Chains are built by the chain verb only: never from the inventory, an apply's checks or its steps. */
export function chainBuildingFindings(agent: Agent): string[] {
  const findings: string[] = [];
  for (const root of ["Invoke-Verb_inventory", "Invoke-Verb_apply"].map((name) => functionOf(agent, name))) {
    const seen = new Set<string>();
    const visit = (fn: Fn, path: string[]) => {
      if (seen.has(fn.name)) return;
      seen.add(fn.name);
      for (const node of own(fn.body)) {
        if (node.t === "invokation_expression" && node.c?.some((c) => c.t === "member_name" && text(c) === "Build")) findings.push(`${[...path, fn.name].join(" -> ")} (line ${node.l}): builds a chain`);
        if (node.t === "command") for (const callee of callees(node, agent) ?? []) visit(callee, [...path, fn.name]);
      }
    };
    visit(root, []);
  }
  return findings;
}

export function strayOutputFindings(agent: Agent): string[] {
  const produces = new Map<string, boolean>();
  const quiet = (fn: Fn) => produces.get(fn.name) === false;
  for (let round = 0; round < 30; round++) {
    let changed = false;
    for (const fn of agent.functions.values()) {
      const outputs = statements(fn.body).some((s) => {
        const c = classify(s);
        if (c.kind === "call") return !(callees(c.command, agent)?.every(quiet) ?? false);
        return c.kind === "result" || c.kind === "value" || c.kind === "method";
      });
      if (produces.get(fn.name) !== outputs) (produces.set(fn.name, outputs), (changed = true));
    }
    if (!changed) break;
  }
  const findings: string[] = [];
  const check = (fn: Fn, isStep: boolean, seen: Set<string>) => {
    if (seen.has(fn.name)) return;
    seen.add(fn.name);
    for (const s of statements(fn.body)) {
      const c = classify(s);
      if (c.kind === "method") findings.push(`${fn.name} (line ${s.l}): a method's result reaches the step's output; void it`);
      if (c.kind === "value") findings.push(`${fn.name} (line ${s.l}): a value reaches the step's output`);
      if (c.kind === "result" && !isStep) findings.push(`${fn.name} (line ${s.l}): a string reaches the step's output from a helper`);
      if (c.kind === "call") {
        const targets = callees(c.command, agent);
        if (!targets) findings.push(`${fn.name} (line ${s.l}): ${commandName(c.command)}'s output reaches the step's output; void it`);
        else for (const t of targets) t.name === "Stop-Agent" || quiet(t) ? check(t, false, seen) : findings.push(`${fn.name} (line ${s.l}): ${t.name} returns a value that reaches the step's output; void it`);
      }
    }
  };
  // An Invoke-Step_ function's output is its line of words; a Test-Step_ function has none.
  for (const fn of agent.functions.values()) if (STEP.test(fn.name)) check(fn, fn.name.startsWith("Invoke-Step_"), new Set());
  return [...new Set(findings)];
}

