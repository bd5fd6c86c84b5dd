/**
 * Real TLS servers on loopback for probe tests: Node TLS servers serving crafted chains
 * (any order, extras, duplicates, per-SNI, RSA + ECDSA on one port), and `openssl s_server`
 * where Node cannot behave like the server under test (a fatal unrecognized_name alert).
 */
import { eventually } from "./eventually";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { pemOf, type Issued } from "./pki";

/** A chain to serve: certificates in the exact order the server must send them, and the leaf's key. */
export interface ServedChain {
  certificates: Issued[];
  /** Whose private key signs the handshake; defaults to the first certificate's. */
  keyOf?: Issued;
}

export interface NodeTlsServerOptions {
  /** One chain, or several of different key types (RSA and ECDSA on one port). */
  chains: ServedChain[];
  /** Other chains selected by SNI name. */
  sni?: Record<string, ServedChain[]>;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** Key exchange groups; "P-256" alone makes Node's client (x25519 key share) get a HelloRetryRequest. */
  ecdhCurve?: string;
  ciphers?: string;
  /** Bytes to staple when the client asks for OCSP. */
  ocspResponse?: Buffer;
  /** Refuse clients without a certificate (mutual TLS). */
  requireClientCertificate?: boolean;
}

export interface ListeningServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** A server in this process, which can tell how many connections it holds. */
export interface RunningServer extends ListeningServer {
  /** Connections the server currently holds open. */
  connections(): Promise<number>;
  /** Resolves when the server holds no connection; rejects after `timeoutMs`. */
  drained(timeoutMs?: number): Promise<void>;
}

function contextOptions(chains: ServedChain[]): tls.SecureContextOptions {
  return {
    cert: chains.map((chain) => pemOf(...chain.certificates)),
    key: chains.map((chain) => (chain.keyOf ?? chain.certificates[0]).keyPem),
  };
}

/** A Node TLS server on 127.0.0.1 and a free port, serving exactly the given chains. */
export async function startNodeTlsServer(options: NodeTlsServerOptions): Promise<RunningServer> {
  const sniContexts = new Map(
    Object.entries(options.sni ?? {}).map(([name, chains]) => [
      name,
      tls.createSecureContext({ ...contextOptions(chains), minVersion: options.minVersion, maxVersion: options.maxVersion }),
    ]),
  );
  const server = tls.createServer({
    ...contextOptions(options.chains),
    minVersion: options.minVersion,
    maxVersion: options.maxVersion,
    ecdhCurve: options.ecdhCurve,
    ciphers: options.ciphers,
    SNICallback: options.sni ? (name, callback) => callback(null, sniContexts.get(name)) : undefined,
    requestCert: options.requireClientCertificate ?? false,
    rejectUnauthorized: options.requireClientCertificate ?? false,
  });
  if (options.ocspResponse) {
    const response = options.ocspResponse;
    server.on("OCSPRequest", (_cert: Buffer, _issuer: Buffer, callback: (error: Error | null, response: Buffer) => void) => callback(null, response));
  }
  // Probes close abruptly by design; the server must not crash on reset sockets.
  server.on("tlsClientError", () => undefined);
  // Real HTTPS clients (curl) send a request after the handshake: answer it and close.
  server.on("secureConnection", (socket) => {
    socket.on("error", () => undefined);
    socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"));
  });
  return listen(server);
}

/** A TCP server that runs `onConnection` for each client (plain HTTP, silence, an immediate close). */
export function startTcpServer(onConnection: (socket: net.Socket) => void): Promise<RunningServer> {
  return listen(
    net.createServer((socket) => {
      socket.on("error", () => undefined);
      onConnection(socket);
    }),
  );
}

async function listen(server: net.Server): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  const connections = () =>
    new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  return {
    host: "127.0.0.1",
    port,
    connections,
    drained: (timeoutMs = 30_000) => eventually(`server on port ${port} holds no connection`, async () => (await connections()) === 0, timeoutMs),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface OpenSslServerOptions {
  /** The chain for clients that send no SNI or another name. */
  chain: ServedChain;
  /** The one SNI name served, with its own leaf (`-servername`, `-cert2`). */
  servername: string;
  namedLeaf: Issued;
  /** Send a fatal unrecognized_name alert for other names (`-servername_fatal`). */
  fatalOnUnknownName?: boolean;
}

/** `openssl s_server` on 127.0.0.1, started as a child of the test and stopped by its PID. */
export async function startOpenSslServer(options: OpenSslServerOptions): Promise<ListeningServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-s_server-"));
  const write = (name: string, content: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content, { mode: 0o600 });
    return file;
  };
  const [leaf, ...rest] = options.chain.certificates;
  const port = await freePort();
  const args = [
    "s_server", "-accept", `127.0.0.1:${port}`, "-naccept", "1000", "-quiet",
    "-cert", write("cert.pem", leaf.pem), "-key", write("key.pem", (options.chain.keyOf ?? leaf).keyPem),
    "-cert_chain", write("chain.pem", pemOf(...rest)),
    "-servername", options.servername,
    "-cert2", write("cert2.pem", options.namedLeaf.pem), "-key2", write("key2.pem", options.namedLeaf.keyPem),
    ...(options.fatalOnUnknownName ? ["-servername_fatal"] : []),
  ];
  const child = spawn("openssl", args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  await waitForPort(port, child, () => stderr);
  return {
    host: "127.0.0.1",
    port,
    close: async () => {
      child.kill("SIGTERM");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`openssl s_server exited (${child.exitCode}): ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`openssl s_server did not listen on port ${port} within 5 s: ${output()}`);
}
