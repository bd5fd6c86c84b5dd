import * as dns from "node:dns";
import * as net from "node:net";
import * as tls from "node:tls";
import { performance } from "node:perf_hooks";
import type { Certificate } from "../chain/certificate";
import { ChainsmithInputError } from "../chain/errors";
import { CertificateCache } from "./certificate-cache";
import { checkProtocol, endpointLabel, type Protocol } from "./endpoint";
import { NotTlsError, ProbeError, TlsDecodeError, TlsUnsupportedError } from "./errors";
import type { TlsVersionName } from "./handshake-parser";
import { RecordingSocket } from "./recording-socket";
import { readServerFlight, type ServerFlight } from "./server-flight";
import { printable, UpgradeError } from "./starttls/conversation";
import { protocolOfGreeting, upgradeToTls, UPGRADES } from "./starttls/upgrades";
import { alertName, PROTOCOL_VERSION, UNRECOGNIZED_NAME } from "./tls-alerts";

export type TlsVersionChoice = "auto" | "1.2" | "1.3";
export type KeyTypeChoice = "any" | "rsa" | "ecdsa";

export interface ProbeOptions {
  /** DNS name or IP address. */
  host: string;
  port: number;
  /** SNI name; defaults to `host` when it is a DNS name (IP addresses send no SNI). */
  servername?: string;
  /** TLS at once ("tls", default; also smtps, imaps, pop3s, ldaps) or after the protocol's STARTTLS-style upgrade (smtp, imap, ...). */
  protocol?: Protocol;
  /** Whole-probe limit (DNS, connect, any upgrade dialogue and handshake); default 10 000 ms. */
  timeoutMs?: number;
  /** Protocol version to offer; "auto" offers TLS 1.2 and 1.3 and lets the server choose. */
  tls?: TlsVersionChoice;
  /** Offer only RSA or only ECDSA signature algorithms, to read each chain of a dual-certificate server. */
  keyType?: KeyTypeChoice;
}

export interface ProbeTimings {
  dnsMs: number;
  connectMs: number;
  /** The plain-text dialogue before TLS (STARTTLS); 0 for TLS at once. */
  upgradeMs: number;
  handshakeMs: number;
  totalMs: number;
}

export interface ProbeResult {
  host: string;
  port: number;
  protocol: Protocol;
  /** The IP address connected to. */
  address: string;
  servername: string | undefined;
  /** The certificates exactly as sent: wire order, extras, duplicates and any root kept. */
  certificates: Certificate[];
  tlsVersion: TlsVersionName;
  /** IANA cipher suite name, e.g. "TLS_AES_256_GCM_SHA384". */
  cipher: string;
  ocspStapled: boolean;
  /** The server asked for another key share first (TLS 1.3 HelloRetryRequest). */
  helloRetryRequest: boolean;
  timings: ProbeTimings;
}

const DEFAULT_TIMEOUT_MS = 10_000;
// A server flight is a few kilobytes; a megabyte means something else is talking.
const RECORDING_LIMIT_BYTES = 1 << 20;

const VERSION_RANGE: Record<TlsVersionChoice, { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion }> = {
  auto: { minVersion: "TLSv1.2", maxVersion: "TLSv1.3" },
  "1.2": { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" },
  "1.3": { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" },
};

// OpenSSL picks the server certificate whose key can sign with an offered algorithm.
const SIGNATURE_ALGORITHMS: Record<KeyTypeChoice, string | undefined> = {
  any: undefined,
  rsa: "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:rsa_pkcs1_sha256:rsa_pkcs1_sha384:rsa_pkcs1_sha512",
  ecdsa: "ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512",
};

const SECRET_LABEL = Buffer.from("SERVER_HANDSHAKE_TRAFFIC_SECRET ");

// A thousand certificates (a fleet's intermediates and leaves) at about 8 KB each: under 10 MB.
const parsedCertificates = new CertificateCache(1024);

// One client context per offer shape: creating a context per probe costs more than the handshake.
const contexts = new Map<string, tls.SecureContext>();

function contextFor(version: TlsVersionChoice, keyType: KeyTypeChoice): tls.SecureContext {
  const key = `${version}|${keyType}`;
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ ...VERSION_RANGE[version], sigalgs: SIGNATURE_ALGORITHMS[keyType] });
    contexts.set(key, context);
  }
  return context;
}

/**
 * Connects once and reads the certificate list the server sends, as sent. Never validates
 * the chain (judging it is chain/judge.ts's job), never resumes a session, always closes
 * the connection, and fails with a ProbeError whose code says what went wrong.
 */
export async function probe(options: ProbeOptions): Promise<ProbeResult> {
  const request = checkOptions(options);
  return new Promise<ProbeResult>((resolve, reject) => new ProbeAttempt(request, resolve, reject).start());
}

interface ProbeRequest {
  host: string;
  port: number;
  protocol: Protocol;
  servername: string | undefined;
  timeoutMs: number;
  tls: TlsVersionChoice;
  keyType: KeyTypeChoice;
  endpoint: string;
}

function checkOptions(options: ProbeOptions): ProbeRequest {
  const { host, port } = options;
  if (typeof host !== "string" || host.trim() === "") {
    throw new ChainsmithInputError("bad-endpoint", "The host to probe is empty. Give a DNS name or an IP address.");
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ChainsmithInputError("bad-endpoint", `Port ${String(port)} of ${host} is not a TCP port. Give a whole number from 1 to 65535.`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new ChainsmithInputError("bad-probe-option", `timeoutMs ${String(timeoutMs)} is not a positive number of milliseconds.`);
  }
  const version = options.tls ?? "auto";
  if (!(version in VERSION_RANGE)) {
    throw new ChainsmithInputError("bad-probe-option", `TLS version "${String(version)}" is not one of auto, 1.2, 1.3.`);
  }
  const keyType = options.keyType ?? "any";
  if (!(keyType in SIGNATURE_ALGORITHMS)) {
    throw new ChainsmithInputError("bad-probe-option", `Key type "${String(keyType)}" is not one of any, rsa, ecdsa.`);
  }
  const protocol = checkProtocol(options.protocol, `${host}:${port}`);
  const servername = options.servername ?? (net.isIP(host) ? undefined : host);
  // SNI carries an ASCII host name (RFC 6066): control characters or other bytes would go out as given.
  if (servername !== undefined && !/^[A-Za-z0-9._-]{1,253}$/.test(servername)) {
    throw new ChainsmithInputError(
      "bad-servername",
      `The SNI name ${printable(servername)} of ${printable(host)}:${port} is not a host name (letters, digits, '-', '.'). Give the name clients use; an internationalized name in its xn-- form.`,
    );
  }
  const endpoint = endpointLabel(host, port, servername, protocol);
  return { host, port, protocol, servername, timeoutMs, tls: version, keyType, endpoint };
}

type Phase = "resolving the name" | "connecting" | "upgrading to TLS" | "in the TLS handshake";

/** One probe's sockets, timer and outcome; settles exactly once and always releases everything. */
class ProbeAttempt {
  private phase: Phase = "resolving the name";
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  private tcp: net.Socket | undefined;
  private tlsSocket: tls.TLSSocket | undefined;
  private recorder: RecordingSocket | undefined;
  private handshakeSecret: Buffer | undefined;
  private readonly started = performance.now();
  private readonly marks = { resolved: 0, connected: 0, upgraded: 0 };

  constructor(
    private readonly request: ProbeRequest,
    private readonly resolve: (result: ProbeResult) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  start(): void {
    this.timer = setTimeout(() => this.fail("timeout", this.timeoutMessage()), this.request.timeoutMs);
    const { host } = this.request;
    if (net.isIP(host)) return this.connect(host);
    dns.lookup(host, (error, address) => {
      if (this.settled) return;
      if (error) return this.fail("dns-failure", `cannot resolve "${host}" (${error.code ?? error.message}). Check the name and the DNS configuration.`);
      this.connect(address);
    });
  }

  private connect(address: string): void {
    this.marks.resolved = performance.now();
    this.phase = "connecting";
    const tcp = net.connect({ host: address, port: this.request.port });
    this.tcp = tcp;
    tcp.setNoDelay(true);
    tcp.once("error", (error: NodeJS.ErrnoException) => this.onSocketError(error));
    tcp.once("connect", () => this.onConnected(address));
  }

  // Connected: the protocol's upgrade dialogue, if it has one, then TLS.
  private onConnected(address: string): void {
    if (this.settled || !this.tcp) return;
    this.marks.connected = performance.now();
    const upgrade = UPGRADES[this.request.protocol];
    if (!upgrade) return this.startTls(address);
    this.phase = "upgrading to TLS";
    upgradeToTls(this.tcp, upgrade, this.request.servername ?? this.request.host).then(
      () => this.startTls(address),
      (error: unknown) => {
        if (!(error instanceof UpgradeError)) return this.fail("protocol-error", `unexpected failure in the ${upgrade.name} dialogue: ${(error as Error).message}`);
        this.fail(error.code, error.message);
      },
    );
  }

  private startTls(address: string): void {
    if (this.settled || !this.tcp) return;
    this.marks.upgraded = performance.now();
    this.phase = "in the TLS handshake";
    this.recorder = new RecordingSocket(this.tcp, RECORDING_LIMIT_BYTES, () =>
      this.fail("protocol-error", "the server sent more than 1 MiB without finishing its handshake; this is not a TLS server's answer."),
    );
    // tls.connect passes requestOCSP through to the TLSSocket; @types/node 20 omits it.
    const connectOptions: tls.ConnectionOptions & { requestOCSP: boolean } = {
      socket: this.recorder,
      servername: this.request.servername,
      secureContext: contextFor(this.request.tls, this.request.keyType),
      rejectUnauthorized: false,
      requestOCSP: true,
    };
    const socket = tls.connect(connectOptions);
    this.tlsSocket = socket;
    socket.on("keylog", (line: Buffer) => {
      // NSS key log line: "SERVER_HANDSHAKE_TRAFFIC_SECRET <client random> <secret>".
      if (!line.subarray(0, SECRET_LABEL.length).equals(SECRET_LABEL)) return;
      this.handshakeSecret = Buffer.from(line.toString("latin1").trim().split(" ")[2], "hex");
    });
    socket.once("secureConnect", () => this.guarded(() => this.onHandshakeDone(address, socket)));
    socket.on("error", (error: NodeJS.ErrnoException) => this.guarded(() => this.onSocketError(error)));
    socket.once("close", () => {
      if (!this.settled) this.guarded(() => this.onSocketError(Object.assign(new Error("connection closed"), { code: "ECONNRESET" })));
    });
  }

  private onHandshakeDone(address: string, socket: tls.TLSSocket): void {
    if (this.settled || !this.recorder) return;
    this.recorder.stopRecording();
    const flight = this.readFlight();
    if (!flight) return;
    if (flight.encryptedUnread) {
      return this.fail("protocol-error", "Node did not log the TLS 1.3 server handshake secret, so the encrypted handshake could not be read.");
    }
    if (!flight.certificates || !flight.version) {
      return this.fail("protocol-error", "the handshake completed but no Certificate message could be read from it.");
    }
    const done = performance.now();
    let certificates: Certificate[];
    try {
      certificates = flight.certificates.map((der, i) => parsedCertificates.fromDer(der, `certificate ${i + 1} sent by ${this.request.endpoint}`));
    } catch (error) {
      return this.fail("protocol-error", (error as Error).message);
    }
    const result: ProbeResult = {
      host: this.request.host,
      port: this.request.port,
      protocol: this.request.protocol,
      address,
      servername: this.request.servername,
      certificates,
      tlsVersion: flight.version,
      cipher: socket.getCipher().standardName,
      ocspStapled: flight.ocspResponse !== undefined,
      helloRetryRequest: flight.helloRetryRequest,
      timings: {
        dnsMs: round(this.marks.resolved - this.started),
        connectMs: round(this.marks.connected - this.marks.resolved),
        upgradeMs: round(this.marks.upgraded - this.marks.connected),
        handshakeMs: round(done - this.marks.upgraded),
        totalMs: round(done - this.started),
      },
    };
    this.settle();
    this.resolve(result);
  }

  /** The flight read from the recording, or undefined after failing the probe with the reason. */
  private readFlight(): ServerFlight | undefined {
    try {
      return readServerFlight(this.recorder?.received ?? Buffer.alloc(0), this.handshakeSecret);
    } catch (error) {
      if (error instanceof NotTlsError) {
        this.fail("not-tls", this.notTlsMessage(error.firstBytes));
      } else if (error instanceof TlsUnsupportedError) {
        this.fail("unsupported", `${error.message}.`);
      } else if (error instanceof TlsDecodeError) {
        this.fail("protocol-error", `${error.message}.`);
      } else {
        throw error;
      }
      return undefined;
    }
  }

  private onSocketError(error: NodeJS.ErrnoException): void {
    if (this.settled) return;
    if (this.phase === "connecting") {
      if (error.code === "ECONNREFUSED") return this.fail("connection-refused", "connection refused: nothing listens on this port. Check the port and that the server runs.");
      return this.fail("connection-failed", `cannot connect (${error.code ?? error.message}). Check the address, the port and any firewall.`);
    }
    if (this.phase === "upgrading to TLS") {
      return this.fail("connection-closed", `the connection failed in the ${UPGRADES[this.request.protocol]?.name} dialogue, before TLS began (${error.code ?? error.message}).`);
    }
    // In the handshake: the server's own bytes say more than OpenSSL's error does.
    const flight = this.readFlight();
    if (!flight) return;
    if (flight.alert) return this.failWithAlert(flight.alert.description, flight.complete);
    if ((this.recorder?.received.length ?? 0) === 0) {
      return this.fail("connection-closed", "the server closed the connection without answering the TLS ClientHello. Check that the port serves TLS.");
    }
    if (error.code === "ECONNRESET" || error.code === "EPIPE") {
      return this.fail("connection-closed", "the server closed the connection in the middle of the TLS handshake.");
    }
    this.fail("protocol-error", `the TLS handshake failed (${error.message}).`);
  }

  private failWithAlert(description: number, afterFlight: boolean): void {
    const name = alertName(description);
    if (description === UNRECOGNIZED_NAME) {
      return this.fail("unknown-sni", `the server has no certificate for the name "${this.request.servername ?? ""}" (alert ${name}). Check --servername.`, name);
    }
    const hint = afterFlight
      ? " It had sent its certificates: a server that stops there usually requires a client certificate."
      : this.request.keyType !== "any"
        ? ` The server may have no ${this.request.keyType.toUpperCase()} certificate.`
        : this.request.tls !== "auto"
          ? ` The server may not speak TLS ${this.request.tls}.`
          : description === PROTOCOL_VERSION
            ? " The server speaks neither TLS 1.2 nor 1.3 (only TLS 1.0 or 1.1, which current clients refuse): enable TLS 1.2 and 1.3 in its configuration."
            : "";
    this.fail("handshake-alert", `the server ended the handshake with alert ${name}.${hint}`, name);
  }

  private timeoutMessage(): string {
    const waited = `no answer within ${this.request.timeoutMs} ms while ${this.phase}`;
    const upgrade = UPGRADES[this.request.protocol];
    // An implicit-TLS port is silent too: it waits for the client's hello.
    if (this.phase === "upgrading to TLS" && upgrade) return `${waited} (the ${upgrade.name} dialogue). Check that the port serves ${upgrade.name} in plain text; a port that starts with TLS (e.g. 465, 993, 995) waits silently: probe it as ${upgrade.implicit}://.`;
    return `${waited}. Check that the host is up and the port serves TLS.`;
  }

  private notTlsMessage(firstBytes: Buffer): string {
    const line = firstBytes.toString("latin1").split(/\r?\n/)[0];
    const said = `the port answered with something that is not TLS (it began "${printable(line.slice(0, 40))}")`;
    const guess = this.request.protocol === "tls" ? protocolOfGreeting(line) : undefined;
    if (guess) return `${said}: a plain-text greeting, as ${UPGRADES[guess]?.name} servers send before STARTTLS. Name the protocol: ${endpointLabel(this.request.host, this.request.port, undefined, guess)}.`;
    return `${said}. Check the port: is it plain HTTP?`;
  }

  // A bug in reading must fail this probe, not crash the process or leave it pending.
  private guarded(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.fail("protocol-error", `unexpected failure while reading the handshake: ${(error as Error).message}`);
    }
  }

  private fail(code: ProbeError["code"], message: string, alert?: string): void {
    if (this.settled) return;
    this.settle();
    this.reject(new ProbeError(code, this.request.endpoint, message, alert));
  }

  private settle(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.tlsSocket?.destroy();
    this.recorder?.destroy();
    this.tcp?.destroy();
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
