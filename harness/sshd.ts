/**
 * A real OpenSSH sshd on loopback, started as a child of the test and stopped by its PID.
 * Logins: root, "chainsmith-sudo" (passwordless sudo), "chainsmith-pwsudo" (sudo that asks
 * for a password) and "chainsmith-root" (uid 0, plain sh), all with the same client key. The
 * users and their sudoers file are created once on this machine (the tests run as root), with
 * "chainsmith-attacker", an unprivileged user that tests run hostile programs as.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "./tls-servers";
import { childPids, waitUntilListening } from "./webservers";

export const SUDO_USER = "chainsmith-sudo";
export const PASSWORD_SUDO_USER = "chainsmith-pwsudo";
/**
 * uid 0 with /bin/sh as its shell. This machine's root runs bash, whose ~/.bashrc (pyenv init)
 * costs ~150 ms on every command sshd starts; the benchmark logs in as this user instead so
 * it measures deployments, not that .bashrc (the shell loop it is compared with does too).
 */
export const PLAIN_ROOT_USER = "chainsmith-root";
/** No sudo, no login: the local user who tries to turn root's writes against other files. */
export const ATTACKER_USER = "chainsmith-attacker";
const SUDOERS_FILE = "/etc/sudoers.d/chainsmith-tests";

export interface Sshd {
  host: string;
  port: number;
  /** The host key's OpenSSH fingerprint ("SHA256:..."). */
  hostKeyFingerprint: string;
  /** A known_hosts line for this server ("[127.0.0.1]:port ssh-ed25519 AAAA..."). */
  knownHostsLine: string;
  /** OpenSSH private key accepted for every login. */
  clientKey: string;
  /** The same key encrypted with `clientKeyPassphrase`. */
  encryptedClientKey: string;
  clientKeyPassphrase: string;
  /** Path of the unencrypted client key (for the `ssh`/`scp` command line). */
  clientKeyPath: string;
  /** PID of the listening sshd (its CPU times include every finished connection's). */
  pid: number;
  /** PIDs of the per-connection sshd processes (children of the listener). */
  sessionPids(): number[];
  /** Kills every connection's sshd process, as a network cut or a reboot would. */
  killSessions(): void;
  stop(): Promise<void>;
}

export async function startSshd(): Promise<Sshd> {
  ensureTestUsers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-sshd-"));
  const keygen = (file: string, passphrase: string) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", "chainsmith-test", "-f", file]);
  keygen(path.join(dir, "host_key"), "");
  keygen(path.join(dir, "client_key"), "");
  const clientKeyPassphrase = "correct horse battery staple 7f3e";
  fs.copyFileSync(path.join(dir, "client_key"), path.join(dir, "client_key_encrypted"));
  execFileSync("ssh-keygen", ["-q", "-p", "-N", clientKeyPassphrase, "-P", "", "-f", path.join(dir, "client_key_encrypted")]);
  fs.copyFileSync(path.join(dir, "client_key.pub"), path.join(dir, "authorized_keys"));
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(path.join(dir, "authorized_keys"), 0o644);

  const port = await freePort();
  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${dir}/host_key`,
    `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    "UsePAM no",
    "StrictModes no",
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "AllowTcpForwarding yes",
    "MaxStartups 200",
    "MaxSessions 50",
    "LogLevel ERROR",
    "Subsystem sftp internal-sftp",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "sshd_config"), config + "\n");
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await waitUntilListening("sshd", child, port, () => stderr);

  const publicHostKey = fs.readFileSync(path.join(dir, "host_key.pub"), "utf8").trim().split(/\s+/);
  const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", path.join(dir, "host_key.pub")]).toString().split(/\s+/)[1];
  const sessionPids = () => childPids(child.pid!);
  return {
    host: "127.0.0.1",
    port,
    hostKeyFingerprint: fingerprint,
    knownHostsLine: `[127.0.0.1]:${port} ${publicHostKey[0]} ${publicHostKey[1]}`,
    clientKey: fs.readFileSync(path.join(dir, "client_key"), "utf8"),
    encryptedClientKey: fs.readFileSync(path.join(dir, "client_key_encrypted"), "utf8"),
    clientKeyPassphrase,
    clientKeyPath: path.join(dir, "client_key"),
    pid: child.pid!,
    sessionPids,
    killSessions: () => sessionPids().forEach((pid) => killQuietly(pid, "SIGKILL")),
    stop: async () => {
      sessionPids().forEach((pid) => killQuietly(pid, "SIGKILL"));
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The uid and gid of a test user (created when missing). */
export function testUserIds(user: string): { uid: number; gid: number } {
  ensureTestUsers();
  const id = (flag: string) => Number(execFileSync("id", [flag, user]).toString().trim());
  return { uid: id("-u"), gid: id("-g") };
}

function ensureTestUsers(): void {
  if (process.getuid?.() !== 0) throw new Error("the sshd tests run as root: they create test users and start sshd on loopback");
  if (!fs.existsSync("/usr/bin/sudo")) throw new Error("sudo is not installed (apt-get install sudo); the sudo tests need it");
  for (const user of [SUDO_USER, PASSWORD_SUDO_USER, ATTACKER_USER]) {
    try {
      execFileSync("id", ["-u", user], { stdio: "ignore" });
    } catch {
      execFileSync("useradd", ["-M", "-s", "/bin/sh", user]);
    }
    // A locked account ("!") cannot log in even with a key; "*" has no password but is not locked.
    execFileSync("usermod", ["-p", "*", user]);
  }
  try {
    execFileSync("id", ["-u", PLAIN_ROOT_USER], { stdio: "ignore" });
  } catch {
    execFileSync("useradd", ["-o", "-u", "0", "-g", "0", "-M", "-d", "/root", "-s", "/bin/sh", PLAIN_ROOT_USER]);
  }
  execFileSync("usermod", ["-p", "*", PLAIN_ROOT_USER]);
  const sudoers = `${SUDO_USER} ALL=(ALL) NOPASSWD: ALL\n${PASSWORD_SUDO_USER} ALL=(ALL) ALL\n`;
  if (!fs.existsSync(SUDOERS_FILE) || fs.readFileSync(SUDOERS_FILE, "utf8") !== sudoers) fs.writeFileSync(SUDOERS_FILE, sudoers, { mode: 0o440 });
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
