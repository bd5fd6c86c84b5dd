// Command lines for `sh -c` on the target. Paths and names are quoted, never interpolated raw.

/** One shell word: single-quoted, with embedded single quotes escaped. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `chown` argument for an owner and/or group, or undefined when neither is set. */
export function chownSpec(owner: string | undefined, group: string | undefined): string | undefined {
  if (owner === undefined && group === undefined) return undefined;
  return `${owner ?? ""}${group !== undefined ? `:${group}` : ""}`;
}

/** Mode bits as `chmod` takes them ("0640"). */
export function octalMode(mode: number): string {
  return "0" + (mode & 0o7777).toString(8).padStart(3, "0");
}

/**
 * Prints, for each path in order, "<mode> <uid> <gid> <size>" and the content for a file that
 * exists, or "absent": every file in one round trip.
 */
export function snapshotsCommand(paths: string[]): string {
  return `for f in ${paths.map(shellQuote).join(" ")}; do if [ -e "$f" ]; then stat -L -c '%a %u %g %s' -- "$f" && cat -- "$f"; else echo absent; fi; done`;
}

export function parseSnapshots(stdout: Buffer, count: number): ({ content: Buffer; mode: number; uid: number; gid: number } | undefined)[] {
  const snapshots: ({ content: Buffer; mode: number; uid: number; gid: number } | undefined)[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const newline = stdout.indexOf(0x0a, offset);
    if (newline < 0) throw new Error(`the host's answer ends after ${i} of ${count} files`);
    const head = stdout.subarray(offset, newline).toString("latin1").trim();
    offset = newline + 1;
    if (head === "absent") {
      snapshots.push(undefined);
      continue;
    }
    const [mode, uid, gid, size] = head.split(" ");
    snapshots.push({ mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid), content: Buffer.from(stdout.subarray(offset, offset + Number(size))) });
    offset += Number(size);
  }
  return snapshots;
}

/**
 * Writes stdin to a temporary file beside `path`, sets mode and owner, syncs it, renames it
 * over `path`; removes the temporary file on any failure. `umask 077` keeps a key unreadable
 * to others while it is written.
 */
export function atomicWriteCommand(path: string, temporary: string, mode: number, chown: string | undefined): string {
  const t = shellQuote(temporary);
  const steps = [`cat > ${t}`, `chmod ${octalMode(mode)} ${t}`, ...(chown ? [`chown ${shellQuote(chown)} ${t}`] : []), `sync ${t}`, `mv -f ${t} ${shellQuote(path)}`];
  return `umask 077; { ${steps.join(" && ")}; } || { rc=$?; rm -f ${t}; exit $rc; }`;
}

export type ServerStep = "config-test" | "reload";

const stepMark = (step: ServerStep) => `<<chainsmith step: ${step}>>`;
const FAILED_MARK = "<<chainsmith step failed>>";

/**
 * The config test, then the reload, as one command line: each command costs the host an SSH
 * session and a shell, more than nginx -t itself. Each step runs in a subshell, so an `exit`
 * in it ends only that step. Marks on stderr tell which step failed and which output is its.
 */
export function serverStepsCommand(steps: { step: ServerStep; command: string }[]): string {
  return steps
    .map(({ step, command }) => `echo ${shellQuote(stepMark(step))} >&2; ( ${command}\n) || { rc=$?; printf '\\n%s\\n' ${shellQuote(FAILED_MARK)} >&2; exit $rc; }`)
    .join("\n");
}

/** The step that failed and its own stderr; undefined when no step failed (the shell itself did). */
export function failedServerStep(stderr: string): { step: ServerStep; stderr: string } | undefined {
  const failed = stderr.lastIndexOf(FAILED_MARK);
  if (failed < 0) return undefined;
  const started = [...stderr.slice(0, failed).matchAll(/<<chainsmith step: (config-test|reload)>>\n/g)].pop();
  if (!started) return undefined;
  return { step: started[1] as ServerStep, stderr: stderr.slice(started.index! + started[0].length, failed).replace(/\n$/, "") };
}
