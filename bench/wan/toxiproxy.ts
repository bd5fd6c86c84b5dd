/**
 * Shopify's toxiproxy (scripts/install-toxiproxy.sh builds it) as the WAN between the deployer
 * and its targets: one TCP proxy per target port on loopback, each with a latency toxic in
 * both directions, so a round trip costs `rttMs` (+/- jitter). The proxy accepts the TCP
 * connection itself at once: the SYN/SYN-ACK round trip of a real network is not delayed
 * (the benchmarks count it, one per connection, in the floor and say so).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { repoRoot } from "../../harness/repo-root";
import { eventually } from "../../harness/eventually";
import { freePort } from "../../harness/tls-servers";

/** A round trip and its jitter, each direction getting half of both. */
export interface Latency {
  rttMs: number;
  jitterMs: number;
}

export const BINARY = path.join(repoRoot, ".tools", "toxiproxy", "toxiproxy-server");

export class Toxiproxy {
  private readonly proxies: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly api: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(): Promise<Toxiproxy> {
    if (!fs.existsSync(BINARY)) throw new Error(`toxiproxy is not installed at ${BINARY}: run \`bash scripts/install-toxiproxy.sh\` (npm run bench does)`);
    const port = await freePort();
    // Warnings only: at info level it logs every connection, CPU the benchmark would count.
    const child = spawn(BINARY, ["-host", "127.0.0.1", "-port", String(port)], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LOG_LEVEL: "warn" } });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const proxy = new Toxiproxy(child, `http://127.0.0.1:${port}`);
    await eventually(`toxiproxy answers on port ${port}`, async () => {
      if (child.exitCode !== null) throw new Error(`toxiproxy exited (${child.exitCode}): ${stderr}`);
      return proxy.call("GET", "/version").then(() => true, () => false);
    });
    return proxy;
  }

  /** A proxy to 127.0.0.1:`upstreamPort`; returns the port it listens on (loopback). */
  async proxy(name: string, upstreamPort: number): Promise<number> {
    const created = (await this.call("POST", "/proxies", { name, listen: "127.0.0.1:0", upstream: `127.0.0.1:${upstreamPort}`, enabled: true })) as { listen: string };
    this.proxies.push(name);
    return Number(created.listen.split(":").pop());
  }

  /** Every proxy's round trip from now on (0: no toxic, the proxy alone). */
  async setLatency(latency: Latency): Promise<void> {
    // 20 proxies at a time: hundreds of API calls at once would only queue in toxiproxy.
    for (let first = 0; first < this.proxies.length; first += 20) await this.setLatencyOf(this.proxies.slice(first, first + 20), latency);
  }

  private async setLatencyOf(names: string[], latency: Latency): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const toxics = (await this.call("GET", `/proxies/${name}/toxics`)) as { name: string }[];
        await Promise.all(toxics.map((t) => this.call("DELETE", `/proxies/${name}/toxics/${t.name}`)));
        if (latency.rttMs === 0) return;
        for (const stream of ["upstream", "downstream"]) {
          const attributes = { latency: latency.rttMs / 2, jitter: latency.jitterMs / 2 };
          await this.call("POST", `/proxies/${name}/toxics`, { name: `latency-${stream}`, type: "latency", stream, toxicity: 1, attributes });
        }
      }),
    );
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }

  // A new connection per request (agent: false): fetch's kept-alive sockets race toxiproxy closing them ("other side closed").
  private call(method: string, route: string, body?: object): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const request = http.request(this.api + route, { method, agent: false, headers: { "content-type": "application/json" } }, (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => {
          if ((response.statusCode ?? 500) >= 300) return reject(new Error(`toxiproxy ${method} ${route}: ${response.statusCode} ${text}`));
          try {
            resolve(text ? JSON.parse(text) : undefined);
          } catch {
            resolve(text);
          }
        });
      });
      request.on("error", reject);
      request.end(body && JSON.stringify(body));
    });
  }
}
