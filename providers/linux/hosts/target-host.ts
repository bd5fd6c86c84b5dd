// What the deploy flow needs from a Linux machine, whether it is reached over SSH or is the
// machine running Pulumi. Every method acts with the target's privileges (root or sudo).
import { randomBytes } from "node:crypto";
import { ChainsmithInputError } from "../../../chain/errors";

export interface CommandResult {
  code: number;
  stdout: Buffer;
  stderr: string;
  /** The command ran longer than the host's command timeout and was killed there. */
  timedOut?: boolean;
}

/** A regular file as found on the host, kept to put it back exactly. */
export interface RegularFile {
  kind: "file";
  content: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  uid: number;
  gid: number;
}

/** A symbolic link as found on the host (certbot's live/ files): put back as the same link. */
export interface SymbolicLink {
  kind: "link";
  /** What the link says, as readlink prints it (often relative). */
  target: string;
}

export type FileSnapshot = RegularFile | SymbolicLink;

export interface FileAttributes {
  mode: number;
  /** User name or numeric id; undefined leaves the writer's. */
  owner?: string;
  group?: string;
}

export interface TargetHost {
  /** "root@10.0.0.5:22" or "local": used in every message. */
  readonly name: string;
  /**
   * Runs a `sh -c` command line with the target's privileges; `stdin` is written then closed.
   * A command still running after the host's command timeout is killed on the host, with
   * everything it started, and reported with `timedOut` and a sentence on stderr.
   */
  run(command: string, stdin?: Buffer | string): Promise<CommandResult>;
  /**
   * What is at each path (undefined when nothing): a regular file's content and attributes,
   * or a symbolic link's target (never followed). Anything else, or a file larger than
   * MAX_TARGET_FILE_BYTES, is refused with a ChainsmithInputError, without reading it.
   */
  readFiles(paths: string[]): Promise<(FileSnapshot | undefined)[]>;
  /**
   * Replaces `path` in one step: a temporary file in the same directory, created exclusively,
   * written, given its owner and mode through the open file (never by name), synced, checked
   * to be still the file written, then renamed over the target. A reader never sees a partial file.
   */
  writeFileAtomic(path: string, content: Buffer, attributes: FileAttributes): Promise<void>;
  /** Replaces `path` in one step with a symbolic link to `target`. */
  writeLink(path: string, target: string): Promise<void>;
  /** Removes the file (or link) if it exists. */
  removeFile(path: string): Promise<void>;
  close(): void;
}

/** Certificates, keys and PFX files are kilobytes; anything larger at a target path is not one. */
export const MAX_TARGET_FILE_BYTES = 1024 * 1024;

/** Default of connection.commandTimeoutMs: a config test and a reload take seconds. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

/** The temporary name `writeFileAtomic` uses beside `path` (same directory, so rename is atomic; unguessable). */
export function temporaryPathFor(path: string): string {
  const slash = path.lastIndexOf("/");
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.chainsmith-${randomBytes(8).toString("hex")}.tmp`;
}

/** The sentence a killed command's stderr ends with. */
export function timeoutNotice(timeoutMs: number): string {
  return `chainsmith killed the command and everything it started on the host: it ran longer than commandTimeoutMs (${timeoutMs} ms). Raise connection.commandTimeoutMs if it needs longer.`;
}

/** What kind of thing a stat (node:fs or SFTP) describes, for a message. */
export function fileTypeOf(stats: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stats.isDirectory()) return "directory";
  if (stats.isFIFO()) return "FIFO";
  if (stats.isCharacterDevice()) return "character device";
  if (stats.isBlockDevice()) return "block device";
  if (stats.isSocket()) return "socket";
  return "special file";
}

/** Refuses what is not a regular file or a link at a target path (a FIFO would hang the read, a device never ends). */
export function notARegularFile(target: string, path: string, type: string): ChainsmithInputError {
  return new ChainsmithInputError(
    "target-not-a-file",
    `${target}: ${path} is a ${type}, not a regular file or a symbolic link. chainsmith replaces only files; remove it or give another path.`,
  );
}

export function targetFileTooLarge(target: string, path: string, size: number): ChainsmithInputError {
  return new ChainsmithInputError(
    "target-file-too-large",
    `${target}: ${path} holds ${size} bytes, more than the ${MAX_TARGET_FILE_BYTES} bytes of any certificate or key file; chainsmith does not read or replace it. Check the path, or move the file away.`,
  );
}

/** The temporary file is no longer the one written: someone else writes in the directory. */
export function temporaryFileReplaced(temporary: string): Error {
  return new Error(`${temporary} was replaced while chainsmith wrote it: another user writes in this directory. Nothing was renamed over the target.`);
}
