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
 * exists, or "absent": every file in one command.
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
