// What the deploy flow needs from a Linux machine, whether it is reached over SSH or is the
// machine running Pulumi. Every method acts with the target's privileges (root or sudo).

export interface CommandResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** A file as found on the host, kept to put it back exactly. */
export interface FileSnapshot {
  content: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  uid: number;
  gid: number;
}

export interface FileAttributes {
  mode: number;
  /** User name or numeric id; undefined leaves the writer's. */
  owner?: string;
  group?: string;
}

export interface TargetHost {
  /** "root@10.0.0.5:22" or "local": used in every message. */
  readonly name: string;
  /** Runs a `sh -c` command line with the target's privileges; `stdin` is written then closed. */
  run(command: string, stdin?: Buffer | string): Promise<CommandResult>;
  /** Each file's content and attributes (undefined when there is none), symbolic links followed. */
  readFiles(paths: string[]): Promise<(FileSnapshot | undefined)[]>;
  /**
   * Replaces `path` in one step: a temporary file in the same directory, written, synced,
   * given its mode and owner, then renamed over the target. A reader never sees a partial file.
   */
  writeFileAtomic(path: string, content: Buffer, attributes: FileAttributes): Promise<void>;
  /** Removes the file if it exists. */
  removeFile(path: string): Promise<void>;
  close(): void;
}

/** The temporary name `writeFileAtomic` uses beside `path` (same directory, so rename is atomic). */
export function temporaryPathFor(path: string): string {
  const slash = path.lastIndexOf("/");
  const random = Math.random().toString(36).slice(2, 10);
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.chainsmith-${random}.tmp`;
}
