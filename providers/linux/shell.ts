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
 * Prints, for a file that exists, "<mode> <uid> <gid>" on the first line and the content after;
 * prints "absent" for a file that does not. One round trip per file.
 */
export function snapshotCommand(path: string): string {
  const p = shellQuote(path);
  return `if [ -e ${p} ]; then stat -c '%a %u %g' -- ${p} && cat -- ${p}; else echo absent; fi`;
}

export function parseSnapshot(stdout: Buffer): { content: Buffer; mode: number; uid: number; gid: number } | undefined {
  const newline = stdout.indexOf(0x0a);
  const head = stdout.subarray(0, newline < 0 ? stdout.length : newline).toString("latin1").trim();
  if (head === "absent") return undefined;
  const [mode, uid, gid] = head.split(" ");
  return { mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid), content: stdout.subarray(newline + 1) };
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
