// The machine running Pulumi as a deploy target: the same flow as over SSH, with node:fs and
// child_process. Runs with this process's privileges (no sudo).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { chownSpec, shellQuote } from "./shell";
import { temporaryPathFor, type CommandResult, type FileAttributes, type FileSnapshot, type TargetHost } from "./target-host";

export class LocalHost implements TargetHost {
  readonly name = "local";

  run(command: string, stdin?: Buffer | string): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("sh", ["-c", command], { stdio: ["pipe", "pipe", "pipe"] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.once("error", reject);
      child.once("close", (code, signal) => {
        const text = Buffer.concat(stderr).toString("utf8");
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

  private async readFile(path: string): Promise<FileSnapshot | undefined> {
    try {
      const stat = await fs.promises.stat(path);
      return { content: await fs.promises.readFile(path), mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async writeFileAtomic(path: string, content: Buffer, attributes: FileAttributes): Promise<void> {
    const temporary = temporaryPathFor(path);
    try {
      const handle = await fs.promises.open(temporary, "wx", 0o600);
      try {
        await handle.writeFile(content);
        await handle.chmod(attributes.mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
      const chown = chownSpec(attributes.owner, attributes.group);
      if (chown) {
        // chown(1) resolves user and group names; fs.chown takes only numbers.
        const result = await this.run(`chown ${shellQuote(chown)} ${shellQuote(temporary)}`);
        if (result.code !== 0) throw new Error(`chown ${chown}: ${result.stderr.trim()}`);
      }
      await fs.promises.rename(temporary, path);
    } catch (error) {
      await fs.promises.rm(temporary, { force: true });
      throw new Error(`cannot write ${path}: ${(error as Error).message}`);
    }
  }

  async removeFile(path: string): Promise<void> {
    await fs.promises.rm(path, { force: true });
  }

  close(): void {}
}
