// Command lines for `sh -c` on the target. Paths and names are quoted, never interpolated raw;
// answers that carry names or bytes come hex- or base64-encoded, one record per line.
import { MAX_TARGET_FILE_BYTES, notARegularFile, targetFileTooLarge, type CommandResult, type FileSnapshot } from "./target-host";

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

/** `command` under coreutils' timeout: TERM to its whole process group after `ms`, KILL 2 s later. */
export function withTimeout(command: string, ms: number): string {
  return `timeout -k 2 ${(ms / 1000).toFixed(3)} sh -c ${shellQuote(command)}`;
}

/** Exit statuses of a command that `timeout` ended: 124 after TERM, 137 after KILL. */
export const TIMEOUT_EXIT_CODES = [124, 137];

// Prints a name hex-encoded, so that newlines and spaces in it cannot break the record.
const HEX_OF_STDIN = "od -An -v -tx1 | tr -d ' \\n'";

/**
 * One line per path, in order: "absent", "link HEX-TARGET", "file MODE UID GID BASE64",
 * "large SIZE" or "other TYPE". Links are not followed and only regular files are read, up
 * to the size cap: a FIFO, a device or a link to one never reaches `head`.
 */
export function snapshotsCommand(paths: string[]): string {
  const cap = MAX_TARGET_FILE_BYTES;
  return (
    `for f in ${paths.map(shellQuote).join(" ")}; do ` +
    `if [ -L "$f" ]; then printf 'link '; readlink -n -- "$f" | ${HEX_OF_STDIN}; echo; ` +
    `elif [ ! -e "$f" ]; then echo absent; ` +
    `elif [ -f "$f" ]; then s=$(stat -c '%a %u %g %s' -- "$f") || exit 1; set -- $s; ` +
    `if [ "$4" -gt ${cap} ]; then echo "large $4"; else printf 'file %s %s %s ' "$1" "$2" "$3"; head -c ${cap} -- "$f" | base64 -w 0; echo; fi; ` +
    `else printf 'other '; stat -c %F -- "$f"; fi; done`
  );
}

export function parseSnapshots(stdout: Buffer, paths: string[], target: string): (FileSnapshot | undefined)[] {
  const lines = stdout.toString("latin1").split("\n");
  return paths.map((path, i) => {
    const [kind, ...fields] = (lines[i] ?? "").split(" ");
    switch (kind) {
      case "absent":
        return undefined;
      case "link":
        return { kind: "link", target: Buffer.from(fields[0] ?? "", "hex").toString("utf8") };
      case "file": {
        const [mode, uid, gid, content] = fields;
        return { kind: "file", mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid), content: Buffer.from(content ?? "", "base64") };
      }
      case "large":
        throw targetFileTooLarge(target, path, Number(fields[0]));
      case "other":
        throw notARegularFile(target, path, fields.join(" "));
      default:
        throw new Error(`the host's answer ends after ${i} of ${paths.length} files`);
    }
  });
}

/**
 * SHA-256 of each regular file (links followed, as a server reads), one line per path: the
 * hash, or "-" when there is none. The content comes on stdin, so sha256sum never prints
 * (and escapes) the name.
 */
export function hashesCommand(paths: string[]): string {
  return `for f in ${paths.map(shellQuote).join(" ")}; do if [ -f "$f" ]; then sha256sum < "$f" | cut -c1-64 || exit 1; else echo -; fi; done`;
}

export function parseHashes(stdout: Buffer, count: number): (string | null)[] {
  const lines = stdout.toString("latin1").split("\n");
  if (lines.length < count || lines.slice(0, count).some((l) => !/^([0-9a-f]{64}|-)$/.test(l))) throw new Error("the host's answer holds no hash for some files");
  return lines.slice(0, count).map((line) => (line === "-" ? null : line));
}

/**
 * Writes stdin to a temporary file beside `path` and renames it over `path`. The file is
 * created exclusively (noclobber) and kept open on descriptor 3; chown, chmod and sync act on
 * that open file through /proc/self/fd/3, never on a name another user could point elsewhere;
 * the rename happens only while the name still is that file. `umask 077` keeps a key
 * unreadable to others while it is written. The temporary file is removed on any failure.
 */
export function atomicWriteCommand(path: string, temporary: string, mode: number, chown: string | undefined): string {
  const fd = "/proc/self/fd/3";
  const unchanged = `[ "$(stat -L -c %d:%i ${fd})" = "$(stat -c %d:%i -- "$t")" ] || { echo "$t was replaced while chainsmith wrote it: another user writes in this directory" >&2; false; }`;
  const steps = ['exec 3> "$t"', "cat >&3", ...(chown ? [`chown -- ${shellQuote(chown)} ${fd}`] : []), `chmod ${octalMode(mode)} ${fd}`, `sync -- ${fd}`, unchanged, `mv -f -T -- "$t" ${shellQuote(path)}`];
  return `umask 077; set -C; t=${shellQuote(temporary)}; { ${steps.join(" && ")}; } || { rc=$?; rm -f -- "$t"; exit $rc; }`;
}

/** Replaces `path` with a symbolic link to `target`, through a temporary link and a rename. */
export function linkCommand(path: string, temporary: string, target: string): string {
  const t = shellQuote(temporary);
  return `{ ln -s -- ${shellQuote(target)} ${t} && mv -f -T -- ${t} ${shellQuote(path)}; } || { rc=$?; rm -f -- ${t}; exit $rc; }`;
}

/**
 * The numeric uid and gid of an owner and a group (each a name or a number; undefined stays
 * undefined): for SFTP's fchown and Node's, which take numbers. Names are looked up on the host.
 */
export async function numericIds(run: (command: string) => Promise<CommandResult>, owner: string | undefined, group: string | undefined): Promise<{ uid?: number; gid?: number }> {
  const numeric = (id: string | undefined) => (id !== undefined && /^\d+$/.test(id) ? Number(id) : undefined);
  const name = (id: string | undefined) => (numeric(id) === undefined ? id : undefined);
  if (name(owner) === undefined && name(group) === undefined) return { uid: numeric(owner), gid: numeric(group) };
  const result = await run(idsCommand(name(owner), name(group)));
  if (result.code !== 0) throw new Error(result.stderr.trim() || `cannot look up the owner ${chownSpec(owner, group)}`);
  const [uid, gid] = result.stdout.toString("utf8").split("\n").map((line) => (line === "-" ? undefined : Number(line)));
  return { uid: numeric(owner) ?? uid, gid: numeric(group) ?? gid };
}

/** The numeric ids of a user and a group ("-" for one not given), one per line, or a sentence on stderr. */
function idsCommand(owner: string | undefined, group: string | undefined): string {
  const lookup = (database: string, name: string | undefined, what: string) =>
    name === undefined ? "echo -" : `getent ${database} -- ${shellQuote(name)} | cut -d: -f3 | grep . || { echo ${shellQuote(`there is no ${what} ${JSON.stringify(name)} on the host`)} >&2; exit 1; }`;
  return `${lookup("passwd", owner, "user")}; ${lookup("group", group, "group")}`;
}
