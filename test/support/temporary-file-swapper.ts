// The attacker of the temporary-file race tests: an unprivileged user (harness/sshd.ts's
// chainsmith-attacker) who can write a directory and swaps every temporary file (*.tmp) that
// appears there for a symbolic link to a victim file, as fast as it can (rename: atomic).
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ATTACKER_USER, testUserIds } from "../../harness/sshd";

const SWAPPER = `
import os, sys
d, victim = sys.argv[1], sys.argv[2]
swap = os.path.join(d, ".swap")
print("ready", flush=True)
while True:
    for name in os.listdir(d):
        p = os.path.join(d, name)
        if name.endswith(".tmp") and not os.path.islink(p):
            try:
                if os.path.lexists(swap): os.unlink(swap)
                os.symlink(victim, swap)
                os.rename(swap, p)
            except OSError:
                pass
`;

export interface Swapper {
  stop(): Promise<void>;
}

/** Starts the attacker on `dir` (which it must be able to write); resolves once it watches. */
export async function startSwapper(dir: string, victim: string): Promise<Swapper> {
  const { uid, gid } = testUserIds(ATTACKER_USER);
  const child: ChildProcess = spawn("/usr/bin/python3", ["-c", SWAPPER, dir, victim], { uid, gid, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the swapper exited (${code}) before it was ready`)));
    child.stdout!.once("data", () => resolve());
  });
  return {
    stop: () => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      return exited;
    },
  };
}

/** A root-owned 0600 file in a directory of its own: what the attacker wants chmodded or chowned. */
export function makeVictim(): { file: string; facts(): unknown; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-victim-"));
  fs.chmodSync(dir, 0o755);
  const file = path.join(dir, "shadow");
  fs.writeFileSync(file, "root's secret\n", { mode: 0o600 });
  const facts = () => {
    const stat = fs.statSync(file);
    return { mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, content: fs.readFileSync(file, "utf8") };
  };
  return { file, facts, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
