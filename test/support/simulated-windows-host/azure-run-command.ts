/**
 * A mock of Azure VM Run Command (no Azure account here), as strict as the real service is
 * reported to be (FACTS.md, "Windows IIS"): the parameters, protected ones included, are
 * put on a cmd.exe command line (`powershell.exe ... -File script.ps1 -Name value ...`,
 * values unquoted), which is refused beyond 8,191 characters, loses everything after an
 * unescaped & | < >, drops ^ and %...%, strips quotes and splits at spaces before
 * PowerShell binds the words to the script's parameters; the script must be agent.ps1 with
 * its request embedded; the instance view keeps only the last 4,096 bytes of output and of
 * error. Behind it, the simulated host answers as the agent would.
 */
import { agentScript } from "../../../providers/windows/agent-invocation";
import { AgentRequest, EMBEDDED_REQUEST_LINE } from "../../../providers/windows/contract";
import { unsealPfx } from "../../../providers/windows/pfx-payload";
import type * as pulumi from "@pulumi/pulumi";
import { formatAnswer } from "./agent-output";
import { SimulatedWindowsHost } from "./host-model";

export interface RunCommandParameter {
  name: string;
  value: string;
}

export interface InstanceView {
  output: string;
  error: string;
  exitCode: number;
}

export const COMMAND_LINE_LIMIT = 8191;
export const INSTANCE_VIEW_LIMIT = 4096;
const SCRIPT_PATH = "C:\\Packages\\Plugins\\Microsoft.CPlat.Core.RunCommandHandlerWindows\\2.0.8\\Downloads\\script0.ps1";

/** Runs one command as Run Command would, against `host`. */
export function runCommand(host: SimulatedWindowsHost, script: string, parameters: RunCommandParameter[] = [], protectedParameters: RunCommandParameter[] = []): InstanceView {
  const line = `powershell.exe -ExecutionPolicy Unrestricted -File ${SCRIPT_PATH} ${[...parameters, ...protectedParameters].map((p) => `-${p.name} ${p.value}`).join(" ")}`.trimEnd();
  if (line.length > COMMAND_LINE_LIMIT) return view("", "The command line is too long.\r\n", 1);
  const { words, lost } = cmdExeWords(line);
  const bound = bindScriptParameters(script, words.slice(5));
  const warnings = lost ? `'${lost}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n` : "";
  if ("error" in bound) return view("", `${warnings}${bound.error}\r\n`, 1);
  const request = embeddedRequest(script);
  if (!request) return view("", `${warnings}the script is not chainsmith's agent with an embedded request\r\n`, 1);
  if (request.verb === "apply" && request.sealedPfx) {
    try {
      request.pfx = unsealPfx(request.sealedPfx, bound.values.payloadkey ?? "");
    } catch {
      return finish({ ok: false, verb: "apply", error: { code: "pfx-import-failed", message: "The sealed PFX could not be opened with the payload key. Nothing was changed." } }, request, warnings);
    }
  }
  return finish(host.handle(request), request, warnings);
}

function finish(answer: ReturnType<SimulatedWindowsHost["handle"]>, request: AgentRequest, stderr: string): InstanceView {
  const stdout = `${formatAnswer(answer, request.outputLimit)}\r\n`;
  return view(stdout, stderr, answer.ok ? 0 : 1);
}

function view(stdout: string, stderr: string, exitCode: number): InstanceView {
  return { output: tail(stdout), error: tail(stderr), exitCode };
}

/** The last 4,096 bytes, as the instance view keeps them. */
function tail(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return bytes.subarray(Math.max(0, bytes.length - INSTANCE_VIEW_LIMIT)).toString("utf8");
}

/** What cmd.exe leaves of a command line: the first command's words, and the start of what it lost. */
export function cmdExeWords(line: string): { words: string[]; lost: string | undefined } {
  let kept = "";
  let lost: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "^") {
      kept += line[++i] ?? "";
    } else if ("&|<>".includes(ch)) {
      lost = line.slice(i + 1).trim().split(/\s+/)[0] || ch;
      break;
    } else if (ch === "%") {
      const end = line.indexOf("%", i + 1);
      if (end > i) i = end;
    } else {
      kept += ch;
    }
  }
  // Words split at spaces and tabs outside quotes; the quotes themselves are dropped.
  const words: string[] = [];
  let word: string | undefined;
  let quoted = false;
  for (const ch of kept) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === " " || ch === "\t")) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    } else word = (word ?? "") + ch;
    word ??= "";
  }
  if (word !== undefined) words.push(word);
  return { words, lost };
}

/** powershell.exe -File: "-Name value" pairs bound to the script's param() block, case-insensitively. */
function bindScriptParameters(script: string, words: string[]): { values: Record<string, string> } | { error: string } {
  const declared = [...(/^param\(([^)]*)\)/m.exec(script)?.[1] ?? "").matchAll(/\$(\w+)/g)].map((m) => m[1].toLowerCase());
  const values: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith("-")) return { error: `A positional parameter cannot be found that accepts argument '${word}'.` };
    const name = word.slice(1).toLowerCase();
    if (!declared.includes(name)) return { error: `A parameter cannot be found that matches parameter name '${word.slice(1)}'.` };
    values[name] = words[++i] ?? "";
  }
  return { values };
}

/** The request agent.ps1 carries, when the script is exactly agent.ps1 with its request line filled. */
function embeddedRequest(script: string): AgentRequest | undefined {
  const match = /^\$EmbeddedRequest = '([A-Za-z0-9+/=]*)'$/m.exec(script);
  if (!match || script.replace(match[0], EMBEDDED_REQUEST_LINE) !== agentScript()) return undefined;
  return JSON.parse(Buffer.from(match[1], "base64").toString("utf8")) as AgentRequest;
}

export const RUN_COMMAND_TYPE = "azure-native:compute:VirtualMachineRunCommandByVirtualMachine";
export const GET_RUN_COMMAND = "azure-native:compute:getVirtualMachineRunCommandByVirtualMachine";
// How the engine protocol marks a secret value; mocks receive secrets still wrapped in it.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const isWrappedSecret = (v: unknown): v is { value: unknown } => typeof v === "object" && v !== null && SECRET_SIG in v;
export const unwrapSecret = <T>(v: unknown) => (isWrappedSecret(v) ? v.value : v) as T;

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * Pulumi mocks in which every Run Command resource runs on `host` through runCommand, and
 * the instance view is what the get function returns. Every resource is recorded.
 */
export function runCommandMocks(host: () => SimulatedWindowsHost, recorded: RecordedResource[], options: { preview?: boolean; extraState?: (type: string) => Record<string, unknown> } = {}): pulumi.runtime.Mocks {
  const views = new Map<string, InstanceView>();
  // One VM is one host: a VM keeps the host current at its first Run Command, so a component
  // still running its last commands is not sent to the host a later test made.
  const hosts = new Map<string, SimulatedWindowsHost>();
  const hostOf = (vmName: string) => hosts.get(vmName) ?? hosts.set(vmName, host()).get(vmName)!;
  return {
    newResource: (args) => {
      recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
      // On preview a new command has not run: its outputs are unknown, so nothing reads its instance view.
      if (options.preview) return { id: undefined, state: {} };
      if (args.type === RUN_COMMAND_TYPE) {
        const script = unwrapSecret<{ script?: string }>(args.inputs.source)?.script ?? "";
        const parameters = unwrapSecret<RunCommandParameter[] | undefined>(args.inputs.parameters) ?? [];
        const protectedParameters = unwrapSecret<RunCommandParameter[] | undefined>(args.inputs.protectedParameters) ?? [];
        views.set(args.inputs.runCommandName, runCommand(hostOf(args.inputs.vmName), unwrapSecret<string>(script), parameters, protectedParameters));
      }
      return { id: `${args.name}-id`, state: { ...args.inputs, name: args.inputs.runCommandName ?? args.name, ...(options.extraState?.(args.type) ?? {}) } };
    },
    call: (args) => {
      if (args.token !== GET_RUN_COMMAND) throw new Error(`unexpected call ${args.token}`);
      if (args.inputs.expand !== "instanceView") throw new Error("the instance view is returned only with expand=instanceView");
      return { instanceView: views.get(args.inputs.runCommandName) ?? { output: "", error: "", exitCode: 0 } };
    },
  };
}
