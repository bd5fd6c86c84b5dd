// Runs a program to its end in a child process (never blocking the test worker), with its
// standard input given; a missing program fails with its name and the step that installs it.
import { spawn } from "node:child_process";

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runProgram(command: string, args: string[], input = "", installedBy = "bash scripts/setup.sh"): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e: NodeJS.ErrnoException) => reject(e.code === "ENOENT" ? new Error(`${command} is not installed (${installedBy} installs it)`) : e));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    // A program that reads no input may exit before its standard input is written.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}
