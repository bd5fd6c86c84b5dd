// One SSH connection to a Linux host through ssh2: host key verified, optional jump host,
// commands run with `exec` (never a shell session), SFTP opened once and reused; once closed,
// kept for the next open of the same login when the process asks for it (idle-pool.ts).
import { createHash } from "node:crypto";
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from "ssh2";
import type { Readable } from "node:stream";
import { assertHostKeyPolicy, isHostKeyTrusted, openSshFingerprint, type HostKeyPolicy } from "./host-keys";
import { SshError } from "./errors";
import { IdlePool } from "./idle-pool";

export interface SshTargetOptions extends HostKeyPolicy {
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
  /** OpenSSH or PEM private key (a Pulumi secret). Without it, the agent is used. */
  privateKey?: string;
  /** Passphrase of an encrypted `privateKey` (a Pulumi secret). */
  passphrase?: string;
  /** ssh-agent socket, used when no privateKey is given; defaults to $SSH_AUTH_SOCK. */
  agent?: string;
  /** How long to wait for the SSH server, in ms, retries included (a refused or unreachable host is dialled again, as a new VM boots); default 30 000. */
  connectTimeoutMs?: number;
  /** Reach the host through this bastion (its own host key is verified the same way). */
  jumpHost?: SshTargetOptions;
}

export interface ExecResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Receives each warning of a connection (an unverified host key), for the person running Pulumi. */
export type LogLine = (warning: string) => void;

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 5_000;
const LAST_ATTEMPT_MS = 250;

export function describeTarget(options: Pick<SshTargetOptions, "host" | "port" | "user">): string {
  return `${options.user}@${options.host}:${options.port ?? 22}`;
}

const idle = new IdlePool<SshConnection>();

export class SshConnection {
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private lost: Error | undefined;
  private readonly closed: Promise<never>;
  private login = "";

  private constructor(
    readonly target: string,
    private readonly client: Client,
    private readonly jump: SshConnection | undefined,
  ) {
    this.closed = new Promise<never>((_resolve, reject) =>
      client.on("close", () => {
        this.lost ??= new SshError("connection-lost", target, "the SSH connection closed (network cut, sshd restarted or the session was killed).");
        reject(this.lost);
      }),
    );
    this.closed.catch(() => undefined);
  }

  /**
   * `work`'s result, or a connection-lost error as soon as the connection closes: ssh2 leaves
   * SFTP requests pending forever when the session dies under them.
   */
  untilClosed<T>(work: Promise<T>): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    return Promise.race([work, this.closed]);
  }

  /**
   * From now on, a closed connection stays open for `ms` and the next open() of the same login
   * takes it instead of logging in again (0, the default: close() closes).
   */
  static keepIdleFor(ms: number): void {
    idle.keepFor(ms);
  }

  /** Connects, verifies the host key, authenticates; rejects with an SshError saying why not. */
  static async open(options: SshTargetOptions, log: LogLine = (warning) => console.warn(`WARNING ${warning}`)): Promise<SshConnection> {
    const target = describeTarget(options);
    assertHostKeyPolicy(options, target);
    if (options.insecureAcceptAnyHostKey) {
      log(`${target}: insecureAcceptAnyHostKey is set, the host key is NOT verified; anyone on the network path can impersonate this host. Pin hostKeyFingerprints or knownHosts.`);
    }
    const login = loginOf(options);
    const kept = idle.take(login);
    if (kept) return kept;
    const jump = options.jumpHost ? await SshConnection.open(options.jumpHost, log) : undefined;
    try {
      const client = await dialWithRetries(options, target, () => (jump ? jump.forwardTo(options.host, options.port ?? 22) : Promise.resolve(undefined)));
      const connection = new SshConnection(target, client, jump);
      connection.login = login;
      return connection;
    } catch (error) {
      jump?.close();
      throw error;
    }
  }

  /** Not closed by the other side (a kept connection is taken only then). */
  get usable(): boolean {
    return this.lost === undefined;
  }

  /**
   * Runs one command; `stdin` is written then closed. A missing exit status is a failure. After
   * `timeoutMs` the command is sent KILL (where sshd relays signals), its channel closed and a
   * command-timeout error returned: a silent host cannot hold the caller. The host's own
   * timeout (Linux: coreutils' timeout) is what reliably ends the command there.
   */
  exec(command: string, stdin?: Buffer | string, timeoutMs?: number): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      if (this.lost) return reject(this.lost);
      this.client.exec(command, (error, channel: ClientChannel) => {
        if (error) return reject(new SshError("connection-lost", this.target, `cannot start a command: ${error.message}.`));
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                channel.signal("KILL");
                channel.close();
                reject(new SshError("command-timeout", this.target, `the command gave no answer within ${timeoutMs} ms; its channel was closed.`));
              }, timeoutMs);
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let code: number | undefined;
        let signal: string | undefined;
        channel.on("data", (chunk: Buffer) => stdout.push(chunk));
        channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        channel.on("exit", (exitCode: number | null, exitSignal?: string) => {
          code = exitCode ?? undefined;
          signal = exitSignal;
        });
        channel.on("close", () => {
          clearTimeout(timer);
          if (code === undefined) {
            const why = signal ? `was killed by signal ${signal}` : "ended without an exit status (the connection may have dropped)";
            return reject(new SshError("no-exit-status", this.target, `the command ${why}; treating it as failed.`));
          }
          resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString("utf8") });
        });
        channel.end(stdin);
      });
    });
  }

  /** The connection's SFTP session (opened on first use). */
  sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise((resolve, reject) =>
      this.client.sftp((error, sftp) => (error ? reject(new SshError("sftp-failed", this.target, `cannot open SFTP: ${error.message}. Check "Subsystem sftp" in sshd_config.`)) : resolve(sftp))),
    );
    return this.sftpSession;
  }

  /** Done with it: the connection closes, or is kept for the next open() of its login (keepIdleFor). */
  close(): void {
    idle.put(this.login, this);
  }

  /** Closes the connection now (and gives back its jump host's). */
  end(): void {
    this.client.end();
    this.jump?.close();
  }

  private forwardTo(host: string, port: number): Promise<Readable> {
    return new Promise((resolve, reject) =>
      this.client.forwardOut("127.0.0.1", 0, host, port, (error, stream) =>
        error ? reject(new SshError("unreachable", this.target, `the jump host cannot reach ${host}:${port} (${error.message}). Check AllowTcpForwarding on the jump host and the target address.`)) : resolve(stream),
      ),
    );
  }
}

/** Everything that decides where a connection goes and as whom, hashed (it holds secrets). */
function loginOf(options: SshTargetOptions): string {
  const { connectTimeoutMs: _timeout, jumpHost, ...login } = options;
  return createHash("sha256")
    .update(JSON.stringify([login, jumpHost ? loginOf(jumpHost) : null]))
    .digest("hex");
}

/**
 * Dials until the handshake succeeds or the connect timeout is spent: a host that refuses or
 * cannot be reached yet (booting, sshd starting) is dialled again after a growing pause.
 * Any other failure (host key, login, a host that never answers) ends the attempt at once.
 */
async function dialWithRetries(options: SshTargetOptions, target: string, socket: () => Promise<Readable | undefined>): Promise<Client> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  for (let pause = FIRST_RETRY_MS; ; pause = Math.min(2 * pause, LONGEST_RETRY_MS)) {
    attempts++;
    try {
      return await connectClient(options, target, await socket(), Math.max(1, deadline - Date.now()), timeoutMs);
    } catch (error) {
      const retryable = error instanceof SshError && error.code === "unreachable";
      // Each attempt keeps time to fail on its own (a refusal), rather than by the deadline.
      const wait = Math.min(pause, deadline - Date.now() - LAST_ATTEMPT_MS);
      if (!retryable || wait < 0) {
        if (retryable && attempts > 1) throw new SshError("unreachable", target, `${(error as SshError).reason.replace(/\.$/, "")}, after ${attempts} attempts in ${timeoutMs} ms (raise connectTimeoutMs for a host that is still booting).`);
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function connectClient(options: SshTargetOptions, target: string, sock: Readable | undefined, timeoutMs: number, configuredTimeoutMs: number): Promise<Client> {
  const port = options.port ?? 22;
  const agent = options.privateKey ? undefined : (options.agent ?? process.env.SSH_AUTH_SOCK);
  if (!options.privateKey && !agent) {
    return Promise.reject(new SshError("auth-failed", target, "no SSH private key was given and no ssh-agent is available (SSH_AUTH_SOCK is not set). Give sshPrivateKey (a secret) or an agent socket."));
  }
  let presented: string | undefined;
  const config: ConnectConfig = {
    host: options.host,
    port,
    sock,
    username: options.user,
    privateKey: options.privateKey,
    passphrase: options.passphrase,
    agent,
    // Straight to the key (or agent): ssh2's default first tries "none", one more round trip and a logged failure.
    authHandler: options.privateKey ? ["publickey"] : ["agent"],
    readyTimeout: timeoutMs,
    keepaliveInterval: 15_000,
    hostVerifier: (key: Buffer) => {
      presented = openSshFingerprint(key);
      return isHostKeyTrusted(options, options.host, port, key);
    },
  };
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    const fail = (error: SshError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.destroy();
      reject(error);
    };
    // ssh2's readyTimeout does not cover every stall (a TCP connect that never completes); this does.
    const timer = setTimeout(() => fail(new SshError("timeout", target, `no SSH handshake within ${configuredTimeoutMs} ms. Check that the host is up, the port is right and no firewall drops the traffic.`)), timeoutMs);
    client.once("ready", () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(client);
    });
    client.on("error", (error: Error & { code?: string; level?: string }) => fail(connectError(error, target, presented, configuredTimeoutMs)));
    try {
      client.connect(config);
      // SSH is small request/response messages: with Nagle's algorithm every handshake step
      // and command waits ~40 ms for a delayed ACK. Set before the TCP connect completes.
      client.setNoDelay(true);
      if (options.privateKey) signAtOnce(client);
    } catch (error) {
      fail(new SshError("bad-client-key", target, `the SSH private key cannot be used (${(error as Error).message}). Give an OpenSSH or PEM private key, and its passphrase if it is encrypted.`));
    }
  });
}

// The hash of each signature algorithm of an RSA key (other keys have one of their own).
const HASH_OF_ALGORITHM: Record<string, string> = { "rsa-sha2-256": "sha256", "rsa-sha2-512": "sha512", "ssh-rsa": "sha1" };

type AuthPk = (user: string, key: { sign?: (data: Buffer, hash?: string) => Buffer | Error }, algorithm?: string | AuthSign, sign?: AuthSign) => void;
type AuthSign = (data: Buffer, done: (signature: Buffer) => void) => void;

/**
 * RFC 4252 lets a client send the signed publickey request at once. ssh2 first asks whether
 * the key would do (an unsigned request the server answers with PK_OK), one round trip more
 * per login, and has no option against it: this wraps the authPK method of its protocol object
 * (ssh2 is pinned) so that our own key signs the first request. A key that cannot sign falls
 * back to ssh2's way, which reports the error.
 */
function signAtOnce(client: Client): void {
  const protocol = (client as unknown as { _protocol?: { authPK?: AuthPk } })._protocol;
  const authPK = protocol?.authPK;
  if (!protocol || typeof authPK !== "function") return;
  protocol.authPK = function (this: unknown, user, key, algorithm, sign) {
    if (sign || typeof algorithm === "function" || typeof key?.sign !== "function") return authPK.call(this, user, key, algorithm, sign);
    const hash = algorithm ? HASH_OF_ALGORITHM[algorithm] : undefined;
    return authPK.call(this, user, key, algorithm, (data, done) => {
      const signature = key.sign!(data, hash);
      if (signature instanceof Error) authPK.call(this, user, key, algorithm);
      else done(signature);
    });
  };
}

function connectError(error: Error & { code?: string; level?: string }, target: string, presented: string | undefined, timeoutMs: number): SshError {
  const message = error.message;
  if (/verification failed/i.test(message) && presented) {
    return new SshError(
      "host-key-unknown",
      target,
      `the server presented host key ${presented}, which is not among the trusted keys. If you checked on the host ("ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub") that this is its key, add it to hostKeyFingerprints; otherwise someone may be impersonating the host.`,
    );
  }
  if (error.level === "client-authentication") {
    return new SshError("auth-failed", target, `the server refused the login (${message}). Check the user name and that its authorized_keys holds the public key of the given private key.`);
  }
  if (/timed out/i.test(message) || error.level === "client-timeout") {
    return new SshError("timeout", target, `no SSH handshake within ${timeoutMs} ms. Check that the host is up, the port is right and no firewall drops the traffic.`);
  }
  if (error.code === "ECONNREFUSED" || error.code === "EHOSTUNREACH" || error.code === "ENETUNREACH" || error.code === "ENOTFOUND") {
    return new SshError("unreachable", target, `cannot connect (${error.code}). Check the host name, the port and that sshd runs.`);
  }
  if (/privateKey|passphrase|parse/i.test(message)) {
    return new SshError("bad-client-key", target, `the SSH private key cannot be used (${message}). Give an OpenSSH or PEM private key, and its passphrase if it is encrypted.`);
  }
  return new SshError("connection-lost", target, `the SSH connection failed (${message}).`);
}
