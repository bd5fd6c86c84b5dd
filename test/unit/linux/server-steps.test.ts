import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { failedServerStep, serverStepsCommand } from "../../../providers/linux/shell";

/** Runs the combined line with the real /bin/sh, as sshd would; returns exit code, stderr and which steps ran. */
function runSteps(configTest: string, reload: string): { code: number; stderr: string; ran: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "server-steps-"));
  const log = path.join(dir, "ran");
  const line = serverStepsCommand([
    { step: "config-test", command: `echo config-test >> ${log}; ${configTest}` },
    { step: "reload", command: `echo reload >> ${log}; ${reload}` },
  ]);
  try {
    execFileSync("sh", ["-c", line], { stdio: ["ignore", "ignore", "pipe"] });
    return { code: 0, stderr: "", ran: ranSteps(log) };
  } catch (error) {
    const e = error as { status: number; stderr: Buffer };
    return { code: e.status, stderr: e.stderr.toString(), ran: ranSteps(log) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function ranSteps(log: string): string[] {
  return fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
}

describe("config test and reload in one command line", () => {
  it("runs both when the test passes", () => {
    expect(runSteps("true", "true")).toEqual({ code: 0, stderr: "", ran: ["config-test", "reload"] });
  });

  it("stops after a failing config test and names it, keeping its stderr and exit code", () => {
    const result = runSteps("echo 'nginx: [emerg] bad key' >&2; exit 3", "true");
    expect(result.code).toBe(3);
    expect(result.ran).toEqual(["config-test"]);
    expect(failedServerStep(result.stderr)).toEqual({ step: "config-test", stderr: "nginx: [emerg] bad key\n" });
  });

  it("names a failing reload", () => {
    const result = runSteps("true", "echo 'no such process' >&2; false");
    expect(result.code).toBe(1);
    expect(failedServerStep(result.stderr)).toEqual({ step: "reload", stderr: "no such process\n" });
  });

  it("still reloads when the config test ends with `exit 0` (each step is its own subshell)", () => {
    expect(runSteps("exit 0", "true").ran).toEqual(["config-test", "reload"]);
  });

  it("tells an unmarked failure apart (the shell itself failed)", () => {
    expect(failedServerStep("sh: 1: Syntax error\n")).toBeUndefined();
  });
});
