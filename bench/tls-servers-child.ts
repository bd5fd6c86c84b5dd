// TLS servers for a benchmark, in a child process of their own: the handshakes they answer
// do not share the measured process's event loop. startTlsServers() forks this file.
import { fork } from "node:child_process";
import * as tls from "node:tls";

/** One server: its chain (PEM, leaf first) and key, and the highest TLS version it speaks. */
export interface ServedChain {
  cert: string;
  key: string;
  maxVersion?: tls.SecureVersion;
}

/** Starts one server per chain on 127.0.0.1; resolves with their ports, in order, and how to stop them. */
export function startTlsServers(chains: ServedChain[]): Promise<{ ports: number[]; stop: () => void }> {
  const child = fork(__filename, ["--serve"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (ports) => resolve({ ports: ports as number[], stop: () => child.kill() }));
    child.once("exit", (code) => reject(new Error(`bench servers exited (${code})`)));
    child.send(chains);
  });
}

/** The child: start the servers, report their ports, serve until killed. */
function serve(): void {
  process.once("message", async (message) => {
    const ports: number[] = [];
    for (const { cert, key, maxVersion } of message as ServedChain[]) {
      const server = tls.createServer({ cert, key, maxVersion });
      server.on("tlsClientError", () => undefined);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      ports.push((server.address() as { port: number }).port);
    }
    process.send?.(ports);
  });
}

if (process.argv[2] === "--serve") serve();
