// SSH faults against a real sshd: host keys, unreachable hosts, sudo, a session killed
// mid-upload, a jump host.
import { eventually } from "../../../harness/eventually";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { SshError } from "../../../providers/ssh/errors";
import { SshHost, type SshHostOptions } from "../../../providers/linux/hosts/ssh-host";
import { PASSWORD_SUDO_USER, SUDO_USER, startSshd, type Sshd } from "../../../harness/sshd";
import { freePort, startTcpServer } from "../../../harness/tls-servers";

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

const login = (overrides: Partial<SshHostOptions> = {}): SshHostOptions => ({
  host: sshd.host,
  port: sshd.port,
  user: "root",
  privateKey: sshd.clientKey,
  hostKeyFingerprints: [sshd.hostKeyFingerprint],
  ...overrides,
});

const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as SshError);

describe("host keys", () => {
  it("refuses an unknown host key and names the fingerprint the server presented", async () => {
    const error = await failureOf(SshHost.connect(login({ hostKeyFingerprints: ["SHA256:" + "A".repeat(43)] })));
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).code).toBe("host-key-unknown");
    expect((error as SshError).message).toContain(`presented host key ${sshd.hostKeyFingerprint}`);
  });

  it("accepts a matching known_hosts line and refuses one for another port", async () => {
    const host = await SshHost.connect(login({ hostKeyFingerprints: undefined, knownHosts: `# comment\n${sshd.knownHostsLine}\n` }));
    host.close();
    const otherPort = sshd.knownHostsLine.replace(`]:${sshd.port} `, `]:${sshd.port + 1} `);
    const error = await failureOf(SshHost.connect(login({ hostKeyFingerprints: undefined, knownHosts: otherPort })));
    expect((error as SshError).code).toBe("host-key-unknown");
  });

  it("refuses to connect with no host key to check unless insecureAcceptAnyHostKey is set, which warns", async () => {
    const error = await failureOf(SshHost.connect(login({ hostKeyFingerprints: undefined })));
    expect(error).toBeInstanceOf(ChainsmithInputError);
    expect((error as unknown as ChainsmithInputError).code).toBe("host-key-unverified");
    const warnings: string[] = [];
    const host = await SshHost.connect(login({ hostKeyFingerprints: undefined, insecureAcceptAnyHostKey: true }), (line) => warnings.push(line));
    host.close();
    expect(warnings).toEqual([expect.stringContaining("insecureAcceptAnyHostKey is set, the host key is NOT verified")]);
  });

  it("connects through a jump host, verifying both host keys", async () => {
    const host = await SshHost.connect(login({ jumpHost: login() }));
    try {
      expect((await host.run("echo through-the-bastion")).stdout.toString().trim()).toBe("through-the-bastion");
    } finally {
      host.close();
    }
    const wrong = ["SHA256:" + "B".repeat(43)];
    for (const options of [login({ jumpHost: login({ hostKeyFingerprints: wrong }) }), login({ hostKeyFingerprints: wrong, jumpHost: login() })]) {
      const error = await failureOf(SshHost.connect(options));
      expect((error as SshError)?.code).toBe("host-key-unknown");
      expect((error as SshError).message).toContain(`presented host key ${sshd.hostKeyFingerprint}`);
    }
  });
});

describe("unreachable hosts", () => {
  it("dials again while nothing listens, then fails with a clear error naming the attempts", async () => {
    const started = Date.now();
    const error = await failureOf(SshHost.connect(login({ port: await freePort(), connectTimeoutMs: 1500 })));
    expect((error as SshError).code).toBe("unreachable");
    expect((error as SshError).message).toMatch(/cannot connect \(ECONNREFUSED\)\. Check the host name, the port and that sshd runs, after \d+ attempts in 1500 ms \(raise connectTimeoutMs for a host that is still booting\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("connects to a host whose sshd comes up while it is being dialled (a new VM booting)", async () => {
    const port = await freePort();
    const connecting = SshHost.connect(login({ port, connectTimeoutMs: 30_000 }));
    // The host's sshd starts later: a forwarder to the real sshd opens the port.
    const forwarder = net.createServer((socket) => socket.pipe(net.connect(sshd.port, sshd.host)).pipe(socket));
    setTimeout(() => forwarder.listen(port, "127.0.0.1"), 700);
    try {
      const host = await connecting;
      expect((await host.run("echo up")).stdout.toString()).toBe("up\n");
      host.close();
    } finally {
      forwarder.close();
    }
  });

  it("gives up within the timeout when the host never answers", async () => {
    // Reads and never answers, like a host behind a firewall that swallows the traffic.
    const silent = await startTcpServer((socket) => socket.resume());
    try {
      const started = Date.now();
      const error = await failureOf(SshHost.connect(login({ port: silent.port, connectTimeoutMs: 1000 })));
      expect((error as SshError).code).toBe("timeout");
      expect((error as SshError).message).toContain("no SSH handshake within 1000 ms");
      // Bounded by the timeout, not held by the silent host (generous: the machine may be busy).
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await silent.close();
    }
  });
});

describe("reading files", () => {
  // Root reads over SFTP, sudo through a shell: both answer the same.
  const ways = [
    { who: "root over SFTP", options: {} },
    { who: "sudo through sh", options: { user: SUDO_USER, sudo: true } },
  ];
  for (const { who, options } of ways) {
    it(`${who}: content and attributes, a symbolic link as the link it is, absence`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-read-"));
      fs.chmodSync(dir, 0o755);
      const host = await SshHost.connect(login(options));
      try {
        const file = path.join(dir, "fullchain.pem");
        fs.writeFileSync(file, "chain\n".repeat(20_000), { mode: 0o640 });
        fs.chownSync(file, 0, 4);
        fs.symlinkSync(file, path.join(dir, "live.pem"));
        const [direct, linked, absent] = await host.readFiles([file, path.join(dir, "live.pem"), path.join(dir, "missing.pem")]);
        expect(direct).toEqual({ kind: "file", content: fs.readFileSync(file), mode: 0o640, uid: 0, gid: 4 });
        expect(linked).toEqual({ kind: "link", target: file });
        expect(absent).toBeUndefined();
      } finally {
        host.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("sudo", () => {
  it("writes root-owned files atomically through passwordless sudo", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-sudo-"));
    const host = await SshHost.connect(login({ user: SUDO_USER, sudo: true }));
    try {
      const target = path.join(dir, "privkey.pem");
      await host.writeFileAtomic(target, Buffer.from("key material"), { mode: 0o640, owner: "root", group: "root" });
      const stat = fs.statSync(target);
      expect([stat.mode & 0o777, stat.uid, stat.gid]).toEqual([0o640, 0, 0]);
      expect((await host.readFiles([target]))[0]).toMatchObject({ kind: "file", content: Buffer.from("key material") });
      expect(fs.readdirSync(dir)).toEqual(["privkey.pem"]);
      expect((await host.run("id -u")).stdout.toString().trim()).toBe("0");
    } finally {
      host.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says clearly that sudo wants a password, which chainsmith never types", async () => {
    const error = await failureOf(SshHost.connect(login({ user: PASSWORD_SUDO_USER, sudo: true })));
    expect((error as SshError).code).toBe("sudo-password-required");
    expect((error as SshError).message).toContain(`${PASSWORD_SUDO_USER}@127.0.0.1:${sshd.port}: sudo asks this user for a password`);
    expect((error as SshError).message).toContain("NOPASSWD");
  });

  it("says so when there is neither a key nor an agent", async () => {
    const agentSocket = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    const error = await failureOf(SshHost.connect(login({ privateKey: undefined, agent: undefined }))).finally(() => {
      if (agentSocket !== undefined) process.env.SSH_AUTH_SOCK = agentSocket;
    });
    expect((error as SshError).code).toBe("auth-failed");
    expect((error as SshError).message).toContain("no SSH private key was given and no ssh-agent is available");
  });

  it("logs in with a passphrase-protected key and never shows the passphrase", async () => {
    const host = await SshHost.connect(login({ privateKey: sshd.encryptedClientKey, passphrase: sshd.clientKeyPassphrase }));
    host.close();
    const error = await failureOf(SshHost.connect(login({ privateKey: sshd.encryptedClientKey, passphrase: "wrong passphrase 123" })));
    expect((error as SshError).code).toBe("bad-client-key");
    expect((error as SshError).message).not.toContain("wrong passphrase 123");
  });
});

describe("a session killed mid-command", () => {
  it("treats the missing exit status as a failure", async () => {
    const host = await SshHost.connect(login());
    try {
      const running = host.run("sleep 30").then(() => undefined, (e: unknown) => e as SshError);
      await eventually("sleep 30 runs on the host", () => sshd.sessionPids().length > 0);
      sshd.killSessions();
      const error = await running;
      expect(error).toBeInstanceOf(SshError);
      expect(["no-exit-status", "connection-lost"]).toContain(error!.code);
    } finally {
      host.close();
    }
  });
});

describe("a session killed mid-upload", () => {
  it("leaves the previous file whole at the target path", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-cut-"));
    const target = path.join(dir, "fullchain.pem");
    fs.writeFileSync(target, "previous content\n");
    const host = await SshHost.connect(login());
    try {
      // Large enough that the upload is still running when the session dies.
      const upload = host.writeFileAtomic(target, Buffer.alloc(256 * 1024 * 1024, 0x41), { mode: 0o644 }).then(() => "finished", (e: Error) => e);
      await eventually("the upload has begun", () => fs.readdirSync(dir).some((f) => f.endsWith(".tmp") && fs.statSync(path.join(dir, f)).size > 0), 30_000, 2);
      sshd.killSessions();
      const outcome = await upload;
      expect(outcome).toBeInstanceOf(Error);
      expect(fs.readFileSync(target, "utf8")).toBe("previous content\n");
    } finally {
      host.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
