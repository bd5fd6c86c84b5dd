// A Linux host reached over SSH, as the deploy flow sees it. As root, files are read and
// written through SFTP (temporary file, fsync, posix-rename): one sftp-server for the whole
// deployment, where every command costs the host a shell and its programs. As another user
// with `sudo`, SFTP would act as that user, so files go through `sudo -n sh -c` commands.
import type { SFTPWrapper, Stats } from "ssh2";
import { chownSpec, atomicWriteCommand, parseSnapshots, shellQuote, snapshotsCommand } from "./shell";
import { temporaryPathFor, type CommandResult, type FileAttributes, type FileSnapshot, type TargetHost } from "./target-host";
import { SshConnection, type LogLine, type SshTargetOptions } from "../../ssh/connection";
import { SshError } from "../../ssh/errors";

export interface SshHostOptions extends SshTargetOptions {
  /** Run every command through `sudo -n` (for a login user that is not root). */
  sudo?: boolean;
}

export class SshHost implements TargetHost {
  private constructor(
    private readonly connection: SshConnection,
    private readonly sudo: boolean,
  ) {}

  get name(): string {
    return this.connection.target;
  }

  static async connect(options: SshHostOptions, log?: LogLine): Promise<SshHost> {
    const connection = await SshConnection.open(options, log);
    const host = new SshHost(connection, options.sudo ?? false);
    if (host.sudo) await host.checkSudo().catch((error) => (connection.close(), Promise.reject(error)));
    return host;
  }

  run(command: string, stdin?: Buffer | string): Promise<CommandResult> {
    return this.sudo ? this.runWithSudo(command, stdin) : this.connection.exec(command, stdin);
  }

  async readFiles(paths: string[]): Promise<(FileSnapshot | undefined)[]> {
    if (paths.length === 0) return [];
    if (!this.sudo) {
      const sftp = await this.connection.sftp();
      return Promise.all(paths.map((path) => this.connection.untilClosed(readSnapshot(sftp, path, this.name))));
    }
    const result = await this.run(snapshotsCommand(paths));
    if (result.code !== 0) throw new SshError("sftp-failed", this.name, `cannot read ${paths.join(", ")}: ${result.stderr.trim()}`);
    return parseSnapshots(result.stdout, paths.length);
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
      await this.connection.untilClosed(writeSynced(sftp, temporary, content, attributes.mode));
      const chown = chownSpec(attributes.owner, attributes.group);
      if (chown) {
        const result = await this.connection.exec(`chown ${shellQuote(chown)} ${shellQuote(temporary)}`);
        if (result.code !== 0) throw new Error(`chown ${chown}: ${result.stderr.trim()}`);
      }
      await this.connection.untilClosed(sftpCall<void>((done) => sftp.ext_openssh_rename(temporary, path, done)));
    } catch (error) {
      await this.connection.untilClosed(sftpCall<void>((done) => sftp.unlink(temporary, done))).catch(() => undefined);
      if (error instanceof SshError) throw error;
      throw new SshError("sftp-failed", this.name, `cannot write ${path} over SFTP (${(error as Error).message}). Check that the directory exists and the login user may write there.`);
    }
  }

  async removeFile(path: string): Promise<void> {
    const result = await this.run(`rm -f -- ${shellQuote(path)}`);
    if (result.code !== 0) throw new SshError("sftp-failed", this.name, `cannot remove ${path}: ${result.stderr.trim()}`);
  }

  close(): void {
    this.connection.close();
  }

  private async runWithSudo(command: string, stdin?: Buffer | string): Promise<CommandResult> {
    const result = await this.connection.exec(`sudo -n sh -c ${shellQuote(command)}`, stdin);
    if (result.code !== 0 && isSudoPasswordPrompt(result.stderr)) throw sudoNeedsPassword(this.name);
    return result;
  }

  private async checkSudo(): Promise<void> {
    const result = await this.connection.exec("sudo -n true");
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
// Writes in flight at once: a large file is not queued whole in memory.
const PIPELINED_BYTES = 64 * SFTP_CHUNK_BYTES;

/** The file at `path` (symbolic links followed, as a server reads it), or undefined when there is none. */
async function readSnapshot(sftp: SFTPWrapper, path: string, target: string): Promise<FileSnapshot | undefined> {
  let handle: Buffer;
  try {
    handle = await sftpCall<Buffer>((done) => sftp.open(path, "r", done));
  } catch (error) {
    if ((error as { code?: number }).code === NO_SUCH_FILE) return undefined;
    throw new SshError("sftp-failed", target, `cannot read ${path} over SFTP (${(error as Error).message}).`);
  }
  // FSTAT and the first READ go out together: one round trip for a file up to a chunk (the
  // server answers them as if sent one at a time). CLOSE is not awaited: nothing depends on it.
  const readAt = (buffer: Buffer, offset: number) => sftpCall<number>((done) => sftp.read(handle, buffer, offset, buffer.length - offset, offset, (error, bytesRead) => done(error, bytesRead)));
  const first = Buffer.alloc(SFTP_CHUNK_BYTES);
  const firstRead = readAt(first, 0);
  firstRead.catch(() => undefined); // awaited below, unless the fstat fails first
  try {
    const stats = await sftpCall<Stats>((done) => sftp.fstat(handle, done));
    if (!stats.isFile()) throw new SshError("sftp-failed", target, `${path} is not a regular file (a directory?). Give the path of the certificate or key file itself.`);
    const content = Buffer.alloc(stats.size);
    let offset = first.copy(content, 0, 0, await firstRead);
    while (offset < content.length) {
      const read = await readAt(content, offset);
      if (read === 0) break;
      offset += read;
    }
    return { content: content.subarray(0, offset), mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid };
  } catch (error) {
    if (error instanceof SshError) throw error;
    throw new SshError("sftp-failed", target, `cannot read ${path} over SFTP (${(error as Error).message}).`);
  } finally {
    sftpCall<void>((done) => sftp.close(handle, done)).catch(() => undefined);
  }
}

async function writeSynced(sftp: SFTPWrapper, path: string, content: Buffer, mode: number): Promise<void> {
  const handle = await sftpCall<Buffer>((done) => sftp.open(path, "wx", { mode }, done));
  // Pipelined: up to PIPELINED_BYTES of writes go out at once, the last of them with the mode,
  // the fsync and the close: one round trip for a certificate or a key. The server answers
  // requests on one handle as if sent one at a time; the rename waits for all of them.
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
    // open's mode is filtered by the server's umask; set it exactly.
    const last = [...writes(offset, content.length), sftpCall<void>((done) => sftp.fchmod(handle, mode, done)), sftpCall<void>((done) => sftp.ext_openssh_fsync(handle, (error) => done(error)))];
    closed = close();
    await Promise.all([...last, closed]);
  } finally {
    if (!closed) await close();
  }
}
