// The machine running Pulumi as a deploy target: the same flow as over SSH, with node:fs and
// child_process. Runs with this process's privileges (no sudo).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { numericIds } from "./shell";
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

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = fs.constants;

export class LocalHost implements TargetHost {
  readonly name = "local";
  private readonly commandTimeoutMs: number;

  constructor(options: { commandTimeoutMs?: number } = {}) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  run(command: string, stdin?: Buffer | string): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      // Its own process group, so that a timeout kills everything the command started.
      const child = spawn("sh", ["-c", command], { stdio: ["pipe", "pipe", "pipe"], detached: true });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, this.commandTimeoutMs);
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.once("error", (error) => (clearTimeout(timer), reject(error)));
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        const text = Buffer.concat(stderr).toString("utf8");
        if (timedOut) return resolve({ code: 124, stdout: Buffer.concat(stdout), stderr: `${text}${timeoutNotice(this.commandTimeoutMs)}`, timedOut: true });
        // A command killed by a signal has no exit status: report it as a failure.
        resolve({ code: code ?? 128, stdout: Buffer.concat(stdout), stderr: signal ? `${text}killed by ${signal}` : text });
      });
      child.stdin.on("error", () => undefined);
      child.stdin.end(stdin);
    });
  }

  readFiles(paths: string[]): Promise<(FileSnapshot | undefined)[]> {
    return Promise.all(paths.map((path) => this.readFile(path)));
  }

  /** Looked at first (lstat), opened without following links or blocking on a FIFO, checked again once open. */
  private async readFile(path: string): Promise<FileSnapshot | undefined> {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.lstat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    if (stat.isSymbolicLink()) return { kind: "link", target: await fs.promises.readlink(path) };
    if (!stat.isFile()) throw notARegularFile(this.name, path, fileTypeOf(stat));
    if (stat.size > MAX_TARGET_FILE_BYTES) throw targetFileTooLarge(this.name, path, stat.size);
    const handle = await fs.promises.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    try {
      const opened = await handle.stat();
      if (!opened.isFile()) throw notARegularFile(this.name, path, fileTypeOf(opened));
      const content = Buffer.alloc(Math.min(opened.size, MAX_TARGET_FILE_BYTES));
      const { bytesRead } = await handle.read(content, 0, content.length, 0);
      return { kind: "file", content: content.subarray(0, bytesRead), mode: opened.mode & 0o7777, uid: opened.uid, gid: opened.gid };
    } finally {
      await handle.close();
    }
  }

  async writeFileAtomic(path: string, content: Buffer, attributes: FileAttributes): Promise<void> {
    const temporary = temporaryPathFor(path);
    try {
      const ids = await numericIds((command) => this.run(command), attributes.owner, attributes.group);
      const handle = await fs.promises.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
      try {
        await handle.writeFile(content);
        // On the open file, never by name: -1 leaves an id as it is.
        if (ids.uid !== undefined || ids.gid !== undefined) await handle.chown(ids.uid ?? -1, ids.gid ?? -1);
        await handle.chmod(attributes.mode);
        await handle.sync();
        const [opened, named] = await Promise.all([handle.stat(), fs.promises.lstat(temporary)]);
        if (opened.ino !== named.ino || opened.dev !== named.dev) throw temporaryFileReplaced(temporary);
      } finally {
        await handle.close();
      }
      await fs.promises.rename(temporary, path);
    } catch (error) {
      await fs.promises.rm(temporary, { force: true });
      throw new Error(`cannot write ${path}: ${(error as Error).message}`);
    }
  }

  async writeLink(path: string, target: string): Promise<void> {
    const temporary = temporaryPathFor(path);
    try {
      await fs.promises.symlink(target, temporary);
      await fs.promises.rename(temporary, path);
    } catch (error) {
      await fs.promises.rm(temporary, { force: true });
      throw new Error(`cannot put the link ${path} -> ${target} back: ${(error as Error).message}`);
    }
  }

  async removeFile(path: string): Promise<void> {
    await fs.promises.rm(path, { force: true });
  }

  close(): void {}
}

function killGroup(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

