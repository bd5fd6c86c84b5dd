/**
 * A fleet of simulated Linux targets for the WAN benchmarks: per target a real sshd and a real
 * nginx on loopback (harness/), each port reached through its own toxiproxy proxy, so that SSH
 * and TLS pay the round trips of a WAN. Two chains to alternate between, so that every
 * deployment really changes the files.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pki, pemOf } from "../../harness/pki";
import { startSshd, type Sshd } from "../../harness/sshd";
import { startNginx, type WebServer } from "../../harness/webservers";
import { freePort } from "../../harness/tls-servers";
import { planFiles, type FilePlan } from "../../providers/linux/presets";
import { processTreeCpuMs } from "./cpu";
import type { Toxiproxy } from "./toxiproxy";

export interface ChainVariant {
  name: string;
  chainPem: string;
  keyPem: string;
  certificates: number;
}

export interface Target {
  name: string;
  sshd: Sshd;
  nginx: WebServer;
  dir: string;
  plan: FilePlan;
  /** Where the deployer reaches sshd and nginx: their proxies. */
  sshPort: number;
  tlsPort: number;
  /** known_hosts for the `ssh`/`scp` loop, naming the proxy's port. */
  knownHostsFile: string;
}

/** A cross-signed chain of 3 certificates and a short one of 2, for the same leaf and key. */
export async function chainVariants(): Promise<[ChainVariant, ChainVariant]> {
  const pki = new Pki();
  const oldRoot = await pki.root("Bench Old Root");
  const newRoot = await pki.root("Bench New Root");
  const cross = await pki.crossSign(newRoot, oldRoot);
  const ca = await pki.intermediate("Bench Issuing CA", newRoot);
  const leaf = await pki.leaf("bench.example.test", ca);
  return [
    { name: "cross-signed (3 certificates)", chainPem: pemOf(leaf, ca, cross), keyPem: leaf.keyPem, certificates: 3 },
    { name: "short (2 certificates)", chainPem: pemOf(leaf, ca), keyPem: leaf.keyPem, certificates: 2 },
  ];
}

export class Fleet {
  private constructor(readonly targets: Target[]) {}

  /** Starts `size` targets serving `initial`, a few at a time (each start spawns ssh-keygen thrice). */
  static async start(size: number, initial: ChainVariant, proxy: Toxiproxy, log: (line: string) => void): Promise<Fleet> {
    const fleet = new Fleet([]);
    try {
      for (let first = 0; first < size; first += 10) {
        const batch = await Promise.allSettled(Array.from({ length: Math.min(10, size - first) }, (_, i) => startTarget(`t${first + i + 1}`, initial, proxy)));
        // The batch's started targets join the fleet before a failure is thrown: stop() ends them too.
        for (const started of batch) if (started.status === "fulfilled") fleet.targets.push(started.value);
        const failed = batch.find((started) => started.status === "rejected");
        if (failed) throw failed.reason;
        log(`  ${fleet.targets.length}/${size} targets up`);
      }
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  /** CPU used so far by every target's sshd and nginx with their descendants, once no SSH session is left open. */
  async cpuMs(): Promise<number> {
    for (let waited = 0; waited < 5000 && this.targets.some((t) => t.sshd.sessionPids().length > 0); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    return this.targets.reduce((sum, t) => sum + processTreeCpuMs(t.sshd.pid) + processTreeCpuMs(t.nginx.pid), 0);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.targets.map(async (target) => {
        await target.nginx.stop();
        await target.sshd.stop();
        fs.rmSync(target.dir, { recursive: true, force: true });
      }),
    );
  }
}

async function startTarget(name: string, initial: ChainVariant, proxy: Toxiproxy): Promise<Target> {
  const sshd = await startSshd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-wan-"));
  let nginx: WebServer | undefined;
  try {
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, "fullchain.pem"), initial.chainPem, { mode: 0o644 });
    fs.writeFileSync(path.join(dir, "privkey.pem"), initial.keyPem, { mode: 0o600 });
    nginx = await startNginx({ certPath: path.join(dir, "fullchain.pem"), keyPath: path.join(dir, "privkey.pem"), port: await freePort() });
    const plan = planFiles({ preset: "nginx", directory: dir, configTestCommand: nginx.configTestCommand, reloadCommand: nginx.reloadCommand });
    const sshPort = await proxy.proxy(`${name}-ssh`, sshd.port);
    const tlsPort = await proxy.proxy(`${name}-tls`, nginx.port);
    const knownHostsFile = path.join(dir, "known_hosts");
    fs.writeFileSync(knownHostsFile, `${sshd.knownHostsLine.replace(/^\S+/, `[127.0.0.1]:${sshPort}`)}\n`);
    return { name, sshd, nginx, dir, plan, sshPort, tlsPort, knownHostsFile };
  } catch (error) {
    await nginx?.stop();
    await sshd.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
