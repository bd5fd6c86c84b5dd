// A Linux host reached over SSH, as the deploy flow sees it. As root, files are read and
// written through SFTP (temporary file, fsync, posix-rename): one sftp-server for the whole
// deployment, where every command costs the host a shell and its programs. As another user
// with `sudo`, SFTP would act as that user, so files go through `sudo -n sh -c` commands.
// Every command runs under coreutils' timeout on the host; SFTP work has the same deadline.
import type { SFTPWrapper, Stats } from "ssh2";
import { atomicWriteCommand, chownSpec, linkCommand, numericIds, parseSnapshots, shellQuote, snapshotsCommand, TIMEOUT_EXIT_CODES, withTimeout } from "./shell";
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  fileTypeOf,
  MAX_TARGET_FILE_BYTES,
  notARegularFile,
  targetFileTooLarge,
  temporaryFileReplaced,
  temporaryPathFor,
  timeoutNotice,
  type CommandResult,
  type FileAttributes,
  type FileSnapshot,
  type TargetHost,
} from "./target-host";
import { SshConnection, type LogLine, type SshTargetOptions } from "../../ssh/connection";
import { SshError } from "../../ssh/errors";
import { ChainsmithInputError } from "../../../chain/errors";

export interface SshHostOptions extends SshTargetOptions {
  /** Run every command through `sudo -n` (for a login user that is not root). */
  sudo?: boolean;
  /** How long one command (or one file's SFTP transfer) may take before it is killed on the host; default 60 000 ms. */
  commandTimeoutMs?: number;
}

// How long after the host's own timeout (TERM, then KILL 2 s later) the client gives up on a silent host.
const CLIENT_GRACE_MS = 10_000;

export class SshHost implements TargetHost {
  private readonly ids = new Map<string, Promise<{ uid?: number; gid?: number }>>();

  private constructor(
    private readonly connection: SshConnection,
    private readonly sudo: boolean,
    private readonly commandTimeoutMs: number,
  ) {}

  get name(): string {
    return this.connection.target;
  }

  static async connect(options: SshHostOptions, log?: LogLine): Promise<SshHost> {
    const connection = await SshConnection.open(options, log);
    const host = new SshHost(connection, options.sudo ?? false, options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    if (host.sudo) await host.checkSudo().catch((error) => (connection.end(), Promise.reject(error)));
    return host;
  }

  async run(command: string, stdin?: Buffer | string): Promise<CommandResult> {
    const limit = this.commandTimeoutMs;
    const line = this.sudo ? `sudo -n ${withTimeout(command, limit)}` : withTimeout(command, limit);
    const started = Date.now();
    const timedOut = (): CommandResult => ({ code: TIMEOUT_EXIT_CODES[0], stdout: Buffer.alloc(0), stderr: timeoutNotice(limit), timedOut: true });
    let result: CommandResult;
    try {
      result = await this.connection.exec(line, stdin, limit + CLIENT_GRACE_MS);
    } catch (error) {
      // After KILL, `timeout` itself dies by the signal: no exit status, only the time tells.
      if (error instanceof SshError && (error.code === "command-timeout" || (error.code === "no-exit-status" && Date.now() - started >= limit))) return timedOut();
      throw error;
    }
    if (TIMEOUT_EXIT_CODES.includes(result.code) && Date.now() - started >= limit) return { ...timedOut(), stdout: result.stdout, stderr: `${result.stderr}${timeoutNotice(limit)}` };
    if (this.sudo && result.code !== 0 && isSudoPasswordPrompt(result.stderr)) throw sudoNeedsPassword(this.name);
    return result;
  }

  async readFiles(paths: string[]): Promise<(FileSnapshot | undefined)[]> {
    if (paths.length === 0) return [];
    if (!this.sudo) {
      const sftp = await this.connection.sftp();
      return Promise.all(paths.map((path) => this.bounded(`reading ${path}`, readSnapshot(sftp, path, this.name))));
    }
    const result = await this.run(snapshotsCommand(paths));
    if (result.code !== 0) throw new SshError("sftp-failed", this.name, `cannot read ${paths.join(", ")}: ${result.stderr.trim()}`);
    return parseSnapshots(result.stdout, paths, this.name);
  }

  async writeFileAtomic(path: string, content: Buffer, attributes: FileAttributes): Promise<void> {
    const temporary = temporaryPathFor(path);
    if (this.sudo) {
      const result = await this.run(atomicWriteCommand(path, temporary, attributes.mode, chownSpec(attributes.owner, attributes.group)), content);
      if (result.code !== 0) throw new SshError("sftp-failed", this.name, `cannot write ${path} through sudo: ${result.stderr.trim()}`);
      return;
    }
    const sftp = await this.connection.sftp();
    try {
      const ids = await this.numericIds(attributes);
      await this.bounded(`writing ${path}`, writeChecked(sftp, temporary, content, attributes.mode, ids));
      await this.bounded(`renaming over ${path}`, sftpCall<void>((done) => sftp.ext_openssh_rename(temporary, path, done)));
    } catch (error) {
      await this.connection.untilClosed(sftpCall<void>((done) => sftp.unlink(temporary, done))).catch(() => undefined);
      if (error instanceof SshError) throw error;
      throw new SshError("sftp-failed", this.name, `cannot write ${path} over SFTP (${(error as Error).message}). Check that the directory exists and the login user may write there.`);
    }
  }

  async writeLink(path: string, target: string): Promise<void> {
    const temporary = temporaryPathFor(path);
    const result = await this.run(linkCommand(path, temporary, target));
    if (result.code !== 0) throw new SshError("sftp-failed", this.name, `cannot put the link ${path} -> ${target} back: ${result.stderr.trim()}`);
  }

  async removeFile(path: string): Promise<void> {
    const result = await this.run(`rm -f -- ${shellQuote(path)}`);
    if (result.code !== 0) throw new SshError("sftp-failed", this.name, `cannot remove ${path}: ${result.stderr.trim()}`);
  }

  close(): void {
    this.connection.close();
  }

  /** Owner and group as numbers, looked up once per connection. */
  private numericIds({ owner, group }: FileAttributes): Promise<{ uid?: number; gid?: number }> {
    const key = chownSpec(owner, group) ?? "";
    let ids = this.ids.get(key);
    if (!ids) this.ids.set(key, (ids = numericIds((command) => this.run(command), owner, group)));
    return ids;
  }

  /**
   * `work` (SFTP requests), or a timeout error once commandTimeoutMs passes: the connection is
   * then closed, the only way to free an sftp-server stuck on the host.
   */
  private bounded<T>(what: string, work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.connection.end();
        reject(new SshError("command-timeout", this.name, `${what} over SFTP took longer than commandTimeoutMs (${this.commandTimeoutMs} ms); the connection was closed.`));
      }, this.commandTimeoutMs);
    });
    return this.connection.untilClosed(Promise.race([work, deadline])).finally(() => clearTimeout(timer));
  }

  private async checkSudo(): Promise<void> {
    const result = await this.connection.exec("sudo -n true", undefined, this.commandTimeoutMs);
    if (result.code === 0) return;
    if (isSudoPasswordPrompt(result.stderr)) throw sudoNeedsPassword(this.name);
    throw new SshError("sudo-password-required", this.name, `"sudo -n true" failed: ${result.stderr.trim() || `exit ${result.code}`}. Check that sudo is installed and the login user may use it.`);
  }
}

function isSudoPasswordPrompt(stderr: string): boolean {
  return /password is required|terminal is required|no tty present/i.test(stderr);
}

function sudoNeedsPassword(target: string): SshError {
  return new SshError(
    "sudo-password-required",
    target,
    `sudo asks this user for a password, and chainsmith never types one. Allow the commands without a password (a sudoers line "USER ALL=(root) NOPASSWD: ALL", or narrower), or log in as root.`,
  );
}

function sftpCall<T>(start: (done: (error: Error | undefined | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}

// SFTP's status code for a path that does not exist.
const NO_SUCH_FILE = 2;
// Below every server's packet limit (OpenSSH allows 256 KiB).
const SFTP_CHUNK_BYTES = 32 * 1024;
// Writes in flight at once (a certificate or key file is far smaller): a large file is not queued whole in memory.
const PIPELINED_BYTES = 16 * SFTP_CHUNK_BYTES;

/**
 * What is at `path`: looked at first (lstat), so that a link is read as a link and a FIFO or
 * a device is never opened (opening a FIFO would block the sftp-server for good).
 */
async function readSnapshot(sftp: SFTPWrapper, path: string, target: string): Promise<FileSnapshot | undefined> {
  let stats: Stats;
  try {
    stats = await sftpCall<Stats>((done) => sftp.lstat(path, done));
  } catch (error) {
    if ((error as { code?: number }).code === NO_SUCH_FILE) return undefined;
    throw new SshError("sftp-failed", target, `cannot read ${path} over SFTP (${(error as Error).message}).`);
  }
  if (stats.isSymbolicLink()) return { kind: "link", target: await sftpCall<string>((done) => sftp.readlink(path, done)) };
  if (!stats.isFile()) throw notARegularFile(target, path, fileTypeOf(stats));
  if (stats.size > MAX_TARGET_FILE_BYTES) throw targetFileTooLarge(target, path, stats.size);
  const handle = await sftpCall<Buffer>((done) => sftp.open(path, "r", done));
  // FSTAT and the first READ go out together: one round trip for a file up to a chunk (the
  // server answers them as if sent one at a time). CLOSE is not awaited: nothing depends on it.
  const readAt = (buffer: Buffer, offset: number) => sftpCall<number>((done) => sftp.read(handle, buffer, offset, buffer.length - offset, offset, (error, bytesRead) => done(error, bytesRead)));
  const first = Buffer.alloc(SFTP_CHUNK_BYTES);
  const firstRead = readAt(first, 0);
  firstRead.catch(() => undefined); // awaited below, unless the fstat fails first
  try {
    const opened = await sftpCall<Stats>((done) => sftp.fstat(handle, done));
    if (!opened.isFile()) throw notARegularFile(target, path, fileTypeOf(opened));
    const content = Buffer.alloc(Math.min(opened.size, MAX_TARGET_FILE_BYTES));
    let offset = first.copy(content, 0, 0, await firstRead);
    while (offset < content.length) {
      const read = await readAt(content, offset);
      if (read === 0) break;
      offset += read;
    }
    return { kind: "file", content: content.subarray(0, offset), mode: opened.mode & 0o7777, uid: opened.uid, gid: opened.gid };
  } catch (error) {
    if (error instanceof SshError || error instanceof ChainsmithInputError) throw error;
    throw new SshError("sftp-failed", target, `cannot read ${path} over SFTP (${(error as Error).message}).`);
  } finally {
    sftpCall<void>((done) => sftp.close(handle, done)).catch(() => undefined);
  }
}

/**
 * Writes `content` to a new file (exclusive create: an existing name or link fails), sets
 * owner and mode on the open handle, syncs, and checks that the name still is this file.
 * SFTP has no inode numbers: type, owner, mode and size of the name must match the handle's.
 */
async function writeChecked(sftp: SFTPWrapper, path: string, content: Buffer, mode: number, ids: { uid?: number; gid?: number }): Promise<void> {
  const handle = await sftpCall<Buffer>((done) => sftp.open(path, "wx", { mode }, done));
  // Pipelined: up to PIPELINED_BYTES of writes go out at once, the last of them with the owner,
  // the mode, the fsync, the checks and the close: one round trip for a certificate or a key.
  // The server answers requests on one handle as if sent one at a time; the rename waits for all.
  const writes = (from: number, to: number) => {
    const requests: Promise<void>[] = [];
    for (let at = from; at < to; at += SFTP_CHUNK_BYTES) requests.push(sftpCall<void>((done) => sftp.write(handle, content, at, Math.min(SFTP_CHUNK_BYTES, to - at), at, done)));
    return requests;
  };
  const close = () => sftpCall<void>((done) => sftp.close(handle, done));
  let closed: Promise<void> | undefined;
  try {
    let offset = 0;
    for (; content.length - offset > PIPELINED_BYTES; offset += PIPELINED_BYTES) await Promise.all(writes(offset, offset + PIPELINED_BYTES));
    const requests = writes(offset, content.length);
    if (ids.uid !== undefined || ids.gid !== undefined) {
      // SFTP sets owner and group together: a missing one is the file's current one (one round trip more).
      const current = ids.uid !== undefined && ids.gid !== undefined ? ids : await sftpCall<Stats>((done) => sftp.fstat(handle, done));
      requests.push(sftpCall<void>((done) => sftp.fchown(handle, ids.uid ?? current.uid!, ids.gid ?? current.gid!, done)));
    }
    // open's mode is filtered by the server's umask, and chown may clear bits: set it exactly, last.
    requests.push(sftpCall<void>((done) => sftp.fchmod(handle, mode, done)), sftpCall<void>((done) => sftp.ext_openssh_fsync(handle, (error) => done(error))));
    const checks = Promise.all([sftpCall<Stats>((done) => sftp.fstat(handle, done)), sftpCall<Stats>((done) => sftp.lstat(path, done))]);
    closed = close();
    const [[opened, named]] = await Promise.all([checks, Promise.all(requests), closed]);
    const same = named.isFile() && named.uid === opened.uid && named.gid === opened.gid && named.mode === opened.mode && named.size === opened.size;
    if (!same) throw temporaryFileReplaced(path);
  } finally {
    if (!closed) await close();
  }
}
