// The directories chainsmith writes in must be writable by the writer alone, as sshd's
// StrictModes asks of ~/.ssh: a user who can write there (or rename one of its parents) can
// swap a file for a link between two steps of root's, or serve their own key. Checked on the
// real path (links resolved), from the directory up to /.
import { ChainsmithInputError } from "../../../chain/errors";
import { shellQuote } from "./shell";
import type { TargetHost } from "./target-host";

/** A directory and its parents up to /, as the host sees them. */
interface DirectoryFacts {
  /** The path as given; its real path (links resolved), or undefined when it does not exist. */
  given: string;
  real?: string;
  /** Owner and mode of the directory, then of each parent up to /. */
  levels: { uid: number; mode: number }[];
}

const STICKY = 0o1000;
const GROUP_OR_OTHERS_WRITE = 0o022;

/**
 * Refuses (ChainsmithInputError "unsafe-directory") when a directory of `paths`, or one of its
 * parents, belongs to another user than root and the writer, or is writable by its group or by
 * others (a sticky parent such as /tmp is fine: others cannot rename what is not theirs); and
 * when one is missing, unless `missing` is "skip" (a restore has nothing to put back there).
 */
export async function assertSafeDirectories(host: TargetHost, paths: string[], missing: "refuse" | "skip" = "refuse"): Promise<void> {
  const directories = [...new Set(paths.map((p) => p.slice(0, p.lastIndexOf("/")) || "/"))];
  if (directories.length === 0) return;
  const result = await host.run(factsCommand(directories));
  if (result.code !== 0) throw new Error(`${host.name}: cannot check the directories ${directories.join(", ")}: ${result.stderr.trim()}`);
  const { writer, facts } = parseFacts(result.stdout, directories);
  for (const directory of facts) {
    if (directory.real === undefined && missing === "skip") continue;
    const problem = unsafeBecause(directory, writer);
    if (problem) {
      throw new ChainsmithInputError(
        "unsafe-directory",
        `${host.name}: chainsmith does not write in ${directory.given}: ${problem}. Another user could swap the files written there for links to other files, or for their own. ` +
          `Make each directory on the path owned by root (chown root DIR) and writable by its owner only (chmod go-w DIR), or deploy to another directory.`,
      );
    }
  }
}

function unsafeBecause(directory: DirectoryFacts, writer: number): string | undefined {
  if (directory.real === undefined) return "it does not exist (create it first, owned by root)";
  let path = directory.real;
  for (const [i, { uid, mode }] of directory.levels.entries()) {
    const which = i === 0 ? path : `its parent ${path}`;
    if (uid !== 0 && uid !== writer) return `${which} belongs to uid ${uid}`;
    if ((mode & GROUP_OR_OTHERS_WRITE) !== 0 && (i === 0 || (mode & STICKY) === 0)) return `${which} is writable by ${(mode & 0o002) !== 0 ? "every user" : "its group"} (mode ${mode.toString(8).padStart(4, "0")})`;
    path = path.slice(0, path.lastIndexOf("/")) || "/";
  }
  return undefined;
}

/**
 * The writer's uid, then per directory: "dir HEX-REAL-PATH" and "UID MODE" for it and each
 * parent, or "missing". One command for every directory.
 */
function factsCommand(directories: string[]): string {
  return (
    `id -u; for d in ${directories.map(shellQuote).join(" ")}; do ` +
    `r=$(readlink -f -- "$d") && [ -d "$r" ] || { echo missing; continue; }; printf 'dir '; printf %s "$r" | od -An -v -tx1 | tr -d ' \\n'; echo; ` +
    `while :; do stat -c '%u %a' -- "$r" || exit 1; [ "$r" = / ] && break; r=\${r%/*}; r=\${r:-/}; done; done`
  );
}

function parseFacts(stdout: Buffer, directories: string[]): { writer: number; facts: DirectoryFacts[] } {
  const [writer, ...lines] = stdout.toString("latin1").trim().split("\n");
  const facts: DirectoryFacts[] = [];
  for (const line of lines) {
    const given = directories[facts.length];
    if (line === "missing") facts.push({ given, levels: [] });
    else if (line.startsWith("dir ")) facts.push({ given, real: Buffer.from(line.slice(4), "hex").toString("utf8"), levels: [] });
    else {
      const [uid, mode] = line.split(" ");
      facts[facts.length - 1]?.levels.push({ uid: Number(uid), mode: parseInt(mode, 8) });
    }
  }
  if (facts.length !== directories.length) throw new Error(`the host's answer ends after ${facts.length} of ${directories.length} directories`);
  return { writer: Number(writer), facts };
}
