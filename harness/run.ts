// The one way tests run a program: asynchronously (a vitest worker must never block on a
// child), with a timeout that interrupts and then kills it, and a description of the run for
// assertion messages. A missing program fails with the install step that provides it.
import { spawn } from "node:child_process";

export interface RunResult {
  /** Exit code; -1 when the program was killed (timeout or signal). */
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time, ms. */
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Default 120 s; then SIGINT, and SIGKILL 5 s later. */
  timeoutMs?: number;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin.on("error", () => undefined); // a program that exits without reading its input
    child.stdin.end(options.input);
    const timer = setTimeout(() => {
      stderr += `\n[test/support/run] ${command} ${args.join(" ")} timed out after ${timeoutMs} ms\n`;
      child.kill("SIGINT");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    }, timeoutMs);
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === "ENOENT" ? new Error(`${command} is not installed: run scripts/setup.sh, which installs what the tests need`) : error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Exit code and output of a run, for an assertion's message. */
export const described = (r: RunResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** Like run(), but rejects with the description when the program exits non-zero. */
export async function runOk(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(" ")}: ${described(r)}`);
  return r;
}
