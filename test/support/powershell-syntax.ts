/**
 * The syntax tree of a PowerShell text, from the tree-sitter PowerShell grammar (installed by
 * scripts/setup.sh in .tools/; no PowerShell runs on this machine), read in a child process.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface PsNode {
  /** The grammar's node type, e.g. "command", "invokation_expression", "variable". */
  t: string;
  /** Source text of leaves and names. */
  x?: string;
  /** Line (1-based). */
  l: number;
  /** The grammar's field name of this node in its parent, e.g. "condition". */
  f?: string;
  c?: PsNode[];
}

export interface SyntaxErrorAt {
  line: number;
  column: number;
  text: string;
}

const root = path.resolve(__dirname, "..", "..");
const python = path.join(root, ".tools", "powershell-grammar", "bin", "python");

export async function parsePowerShell(source: string): Promise<{ errors: SyntaxErrorAt[]; tree: PsNode }> {
  if (!fs.existsSync(python)) throw new Error(`${python} is missing: run \`bash scripts/setup.sh\` (it installs the PowerShell grammar)`);
  const child = spawn(python, [path.join(__dirname, "powershell-syntax.py")], { stdio: ["pipe", "pipe", "pipe"] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => err.push(d));
  child.stdin.end(source);
  const code = await new Promise<number>((resolve, reject) => child.on("error", reject).on("close", (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`powershell-syntax.py failed (${code}): ${Buffer.concat(err).toString()}`);
  return JSON.parse(Buffer.concat(out).toString()) as { errors: SyntaxErrorAt[]; tree: PsNode };
}

/** Every node under (and including) `node`, depth first. */
export function* nodes(node: PsNode): Generator<PsNode> {
  yield node;
  for (const child of node.c ?? []) yield* nodes(child);
}
