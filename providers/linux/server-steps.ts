// The config test, then the reload, as one command line: each command costs the host an SSH
// session and a shell, more than `nginx -t` itself. Each step runs in a subshell, so an `exit`
// in it ends only that step. Marks on stderr, tagged with a random word per run so that no
// output can imitate them, tell which step failed and which output is its own.
import { randomBytes } from "node:crypto";
import { shellQuote } from "./hosts/shell";

export type ServerStep = "config-test" | "reload";

export interface StepCommand {
  step: ServerStep;
  command: string;
}

export interface StepFailure {
  step: ServerStep;
  /** The failing step's own stderr; all of stderr (marks removed) when the shell itself failed. */
  stderr: string;
  /** False when no step's mark tells what failed (a syntax error in a command): `step` is then the last one. */
  marked: boolean;
}

export class ServerStepsScript {
  readonly command: string;
  private readonly tag = shellQuote(`chainsmith-${randomBytes(6).toString("hex")}`);
  private readonly tagText: string;

  constructor(private readonly steps: StepCommand[]) {
    this.tagText = this.tag.slice(1, -1);
    // The marks are assembled by printf at run time: a shell echoing a faulty source line never prints one.
    // `:;` keeps a command that is only a comment from leaving an empty, invalid subshell.
    this.command = steps
      .map(({ step, command }) => `printf '<<%s %s>>\\n' ${this.tag} ${step} >&2; ( :; ${command}\n) || { rc=$?; printf '\\n<<%s failed>>\\n' ${this.tag} >&2; exit $rc; }`)
      .join("\n");
  }

  /** What failed in a run that exited non-zero; a run that was `killed` (a timeout) stopped in the last step it started. */
  failure(stderr: string, killed = false): StepFailure {
    const failedAt = killed ? stderr.length : stderr.lastIndexOf(`<<${this.tagText} failed>>`);
    const started = [...stderr.matchAll(new RegExp(`<<${this.tagText} (config-test|reload)>>\\n`, "g"))].filter((m) => m.index! < failedAt).pop();
    if (started) return { step: started[1] as ServerStep, stderr: stderr.slice(started.index! + started[0].length, failedAt).replace(/\n$/, ""), marked: true };
    // The reload, when there is one, may have run: naming it makes the rollback reload.
    const unmarked = stderr.replace(new RegExp(`\\n?<<${this.tagText} [a-z-]+>>\\n`, "g"), "");
    return { step: this.steps[this.steps.length - 1].step, stderr: unmarked, marked: false };
  }
}
