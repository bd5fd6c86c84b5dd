// Over a WAN every SFTP request the deployment waits for costs a round trip: writing a file
// waits three times (OPEN; the writes, owner, mode, fsync, the checks and close together;
// RENAME), reading one three times (LSTAT, so that a FIFO is never opened; OPEN; FSTAT and
// READ together), against a real sshd. The trace comes from the real
// ssh2 client's SFTP methods (spied, not replaced): a request, or the answer to one.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SshHost } from "../../../providers/linux/hosts/ssh-host";
import { MAX_TARGET_FILE_BYTES } from "../../../providers/linux/hosts/target-host";
import { startSshd, type Sshd } from "../../../harness/sshd";

const { SFTP } = require("ssh2/lib/protocol/SFTP.js") as { SFTP: { prototype: Record<string, (...args: unknown[]) => unknown> } };
const METHODS = ["open", "close", "read", "write", "fstat", "lstat", "fchown", "fchmod", "ext_openssh_fsync", "ext_openssh_rename", "unlink"];

let sshd: Sshd;
let dir: string;
const trace: string[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-sftp-trips-"));
  for (const name of METHODS) {
    const real = SFTP.prototype[name];
    vi.spyOn(SFTP.prototype, name).mockImplementation(function (this: unknown, ...args: unknown[]) {
      trace.push(`${name}>`);
      const done = args[args.length - 1] as (...results: unknown[]) => void;
      return real.apply(this, [...args.slice(0, -1), (...results: unknown[]) => (trace.push(`<${name}`), done(...results))]);
    });
  }
});
afterEach(() => {
  trace.length = 0;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await sshd?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const connect = () => SshHost.connect({ host: sshd.host, port: sshd.port, user: "root", privateKey: sshd.clientKey, hostKeyFingerprints: [sshd.hostKeyFingerprint] });

/** The requests of each round trip the caller waited for: a round ends where an answer came before the next request. */
function rounds(events: string[]): string[][] {
  const result: string[][] = [];
  let answered = true;
  for (const event of events) {
    if (event.endsWith(">")) {
      if (answered) result.push([]);
      result[result.length - 1].push(event.slice(0, -1));
      answered = false;
    } else answered = true;
  }
  return result;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** The trace up to the moment `work` resolved. */
async function traced(work: () => Promise<unknown>): Promise<string[]> {
  trace.length = 0;
  await work();
  return [...trace];
}

describe("SFTP requests a deployment waits for", () => {
  it("writing a certificate: OPEN, then WRITE + mode + FSYNC + the checks + CLOSE at once, then RENAME", async () => {
    const host = await connect();
    try {
      await host.readFiles([path.join(dir, "warm.pem")]); // opens the SFTP session first
      const file = path.join(dir, "fullchain.pem");
      const events = await traced(() => host.writeFileAtomic(file, Buffer.from("chain\n".repeat(500)), { mode: 0o640 }));
      expect(rounds(events)).toEqual([["open"], ["write", "fchmod", "ext_openssh_fsync", "fstat", "lstat", "close"], ["ext_openssh_rename"]]);
      expect(fs.readFileSync(file, "utf8")).toBe("chain\n".repeat(500));
      expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    } finally {
      host.close();
    }
  });

  it("with owner and group given, the FCHOWN rides in the same round trip", async () => {
    const host = await connect();
    try {
      await host.writeFileAtomic(path.join(dir, "warm.pem"), Buffer.from("x"), { mode: 0o600, owner: "0", group: "1" }); // opens the SFTP session first
      const file = path.join(dir, "owned.pem");
      const events = await traced(() => host.writeFileAtomic(file, Buffer.from("key\n"), { mode: 0o640, owner: "0", group: "1" }));
      expect(rounds(events)).toEqual([["open"], ["write", "fchown", "fchmod", "ext_openssh_fsync", "fstat", "lstat", "close"], ["ext_openssh_rename"]]);
      expect([fs.statSync(file).uid, fs.statSync(file).gid, fs.statSync(file).mode & 0o777]).toEqual([0, 1, 0o640]);
    } finally {
      host.close();
    }
  });

  it("reading a file: LSTAT, OPEN, then FSTAT + READ at once; the CLOSE is not waited for", async () => {
    const file = path.join(dir, "privkey.pem");
    fs.writeFileSync(file, "key\n".repeat(100), { mode: 0o600 });
    const host = await connect();
    try {
      await host.readFiles([path.join(dir, "privkey.pem")]);
      await until(() => trace.includes("<close")); // the first read's CLOSE, not waited for by readFiles
      let snapshot: Awaited<ReturnType<SshHost["readFiles"]>> = [];
      const events = await traced(async () => (snapshot = await host.readFiles([file])));
      expect(rounds(events)).toEqual([["lstat"], ["open"], ["read", "fstat"], ["close"]]);
      expect(events).not.toContain("<close"); // readFiles resolved without waiting for it
      expect(snapshot[0]).toEqual({ kind: "file", content: fs.readFileSync(file), mode: 0o600, uid: 0, gid: 0 });
    } finally {
      host.close();
    }
  });

  it("a file larger than the writes kept in flight (512 KiB) is written in batches and read back whole, with its exact mode", async () => {
    const host = await connect();
    try {
      const file = path.join(dir, "bundle.pem");
      const content = Buffer.alloc(MAX_TARGET_FILE_BYTES - 7); // the largest file chainsmith reads back
      for (let i = 0; i < content.length; i++) content[i] = (i * 31) & 0xff;
      const events = await traced(() => host.writeFileAtomic(file, content, { mode: 0o604 }));
      expect(rounds(events).length).toBe(1 + 2 + 1); // OPEN, two batches (the last with mode, FSYNC, the checks and CLOSE), RENAME
      const [back] = await host.readFiles([file]);
      expect(back?.kind === "file" && back.content.equals(content)).toBe(true);
      expect(back?.kind === "file" && back.mode).toBe(0o604);
      expect(fs.readFileSync(file).equals(content)).toBe(true);
    } finally {
      host.close();
    }
  });
});
