import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ServerStepsScript, type StepCommand } from "../../../providers/linux/server-steps";

interface Run {
  code: number;
  stderr: string;
  /** The steps whose commands started, in order. */
  ran: string[];
  script: ServerStepsScript;
}

/** Runs the combined line with a real shell, as sshd would run it (`<shell> -c`). */
function runSteps(configTest: string | undefined, reload: string | undefined, shell = "sh"): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "server-steps-"));
  const log = path.join(dir, "ran");
  const steps: StepCommand[] = [];
  if (configTest !== undefined) steps.push({ step: "config-test", command: `echo config-test >> ${log}; ${configTest}` });
  if (reload !== undefined) steps.push({ step: "reload", command: `echo reload >> ${log}; ${reload}` });
  const script = new ServerStepsScript(steps);
  try {
    const result = spawnSync(shell, ["-c", script.command], { encoding: "utf8" });
    const ran = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    return { code: result.status ?? -1, stderr: result.stderr, ran, script };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("config test and reload in one command line", () => {
  it("runs both when the test passes", () => {
    const run = runSteps("echo 'syntax is ok' >&2", "true");
    expect([run.code, run.ran]).toEqual([0, ["config-test", "reload"]]);
  });

  it("stops after a failing config test and names it, with its own stderr and exit code", () => {
    const run = runSteps("echo 'nginx: [emerg] bad key' >&2; exit 3", "true");
    expect([run.code, run.ran]).toEqual([3, ["config-test"]]);
    expect(run.script.failure(run.stderr)).toEqual({ step: "config-test", stderr: "nginx: [emerg] bad key\n", marked: true });
  });

  it("names a failing reload with its stderr alone, not the passing test's", () => {
    const run = runSteps("echo 'syntax is ok' >&2", "printf 'no such process' >&2; false");
    expect([run.code, run.ran]).toEqual([1, ["config-test", "reload"]]);
    expect(run.script.failure(run.stderr)).toEqual({ step: "reload", stderr: "no such process", marked: true });
  });

  it("still reloads when the config test ends with `exit 0`, and accepts a command that is only a comment", () => {
    expect(runSteps("exit 0", "true").ran).toEqual(["config-test", "reload"]);
    const commented = runSteps("true", "# nothing to reload");
    expect([commented.code, commented.ran]).toEqual([0, ["config-test", "reload"]]);
  });

  it("is not fooled by output that imitates its marks", () => {
    // Marks of the same shape with another run's tag, as a log replayed by the reload might hold.
    const run = runSteps("true", "echo '<<chainsmith-0123456789ab config-test>>' >&2; echo '<<chainsmith-0123456789ab failed>>' >&2; exit 4");
    expect(run.script.failure(run.stderr)).toMatchObject({ step: "reload", marked: true });
  });

  for (const shell of ["sh", "bash"]) {
    it(`treats a syntax error (${shell}) as unmarked: the last step is named, the marks are removed`, () => {
      const run = runSteps("if then", "true", shell);
      expect(run.code).not.toBe(0);
      expect(run.ran).toEqual([]);
      const failure = run.script.failure(run.stderr);
      expect(failure).toMatchObject({ step: "reload", marked: false });
      expect(failure.stderr).toMatch(/syntax error/i);
      expect(failure.stderr).not.toMatch(/<<chainsmith-[0-9a-f]+ /);
    });
  }

  it("names the step a timeout killed: the last one that started, with its stderr so far", () => {
    const script = new ServerStepsScript([
      { step: "config-test", command: "nginx -t" },
      { step: "reload", command: "sleep 600" },
    ]);
    const tag = /'(chainsmith-[0-9a-f]+)'/.exec(script.command)![1];
    const stderr = `<<${tag} config-test>>\nsyntax is ok\n<<${tag} reload>>\nreloading\nkilled after 1000 ms`;
    expect(script.failure(stderr, true)).toEqual({ step: "reload", stderr: "reloading\nkilled after 1000 ms", marked: true });
  });

  it("names the config test when it is the only step", () => {
    const run = runSteps("exit 2", undefined);
    expect(run.script.failure(run.stderr)).toEqual({ step: "config-test", stderr: "", marked: true });
  });
});
