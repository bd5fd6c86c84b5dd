/**
 * Benchmark: probeMany over 500 loopback endpoints (50 Node TLS servers x 10 probes, half
 * TLS 1.2-only, half TLS 1.3), beside an `openssl s_client -showcerts` loop over the same
 * endpoints and a bare `tls.connect` handshake loop.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/probe.js
 *
 * The servers run in a child process, so this process's CPU time is the clients' alone.
 */
import { execFile, execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { startTlsServers, type ServedChain } from "./tls-servers-child";
import { performance } from "node:perf_hooks";
import { probeMany } from "../probe/probe-many";
import type { ProbeOptions } from "../probe/probe";

const SERVERS = 50;
const PROBES_PER_SERVER = 10;
const CONCURRENCY = 16;
const SERVERNAME = "bench.probe.test";
const RUNS = 5;

interface Measurement {
  name: string;
  count: number;
  wallMs: number;
  /** This process's user + system CPU; undefined when the work ran in child processes. */
  cpuMs?: number;
}

async function main(): Promise<void> {
  const chains = makeChains(SERVERS);
  // Half the servers speak TLS 1.2 at most, half 1.3.
  const { ports, stop } = await startTlsServers(chains.map((c, i) => ({ ...c, maxVersion: i % 2 === 0 ? "TLSv1.2" : "TLSv1.3" })));
  try {
    const endpoints: ProbeOptions[] = [];
    for (let round = 0; round < PROBES_PER_SERVER; round++) {
      for (const port of ports) endpoints.push({ host: "127.0.0.1", port, servername: SERVERNAME });
    }
    await checkChain(endpoints[0], fingerprints(chains[0].cert));
    // Warm up both Node loops (JIT, client contexts) on two servers only, so that the
    // measured probes still parse the other 48 leaves they have never seen.
    await bareLoop(endpoints.slice(0, 2));
    await probeMany(endpoints.slice(0, 2), { concurrency: CONCURRENCY });

    const openssl = await measure("openssl s_client -showcerts loop", endpoints.length, () => opensslLoop(endpoints), false);
    // The machine is shared and noisy: alternate the two Node loops and keep each one's median run.
    const bareRuns: Measurement[] = [];
    const probeRuns: Measurement[] = [];
    for (let run = 0; run < RUNS; run++) {
      bareRuns.push(await measure(`bare tls.connect handshakes (concurrency ${CONCURRENCY})`, endpoints.length, () => bareLoop(endpoints), true));
      probeRuns.push(await measure(`probeMany (concurrency ${CONCURRENCY})`, endpoints.length, () => probeAll(endpoints), true));
    }
    report(openssl, bareRuns, probeRuns);
  } finally {
    stop();
  }
}

/** One chain per server: its own leaf (and key) under root -> upper CA -> issuing CA (EC P-256), made with the openssl CLI. */
function makeChains(count: number): ServedChain[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-bench-"));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  fs.writeFileSync(file("ca.ext"), "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n");
  fs.writeFileSync(file("leaf.ext"), `basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${SERVERNAME}\n`);
  const newKey = (name: string) => openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file(`${name}.key`));
  const issue = (name: string, cn: string, issuer: string | undefined, ext: string) => {
    newKey(name);
    openssl("req", "-new", "-key", file(`${name}.key`), "-subj", `/CN=${cn}`, "-out", file(`${name}.csr`));
    const signer = issuer ? ["-CA", file(`${issuer}.pem`), "-CAkey", file(`${issuer}.key`)] : ["-signkey", file(`${name}.key`)];
    openssl("x509", "-req", "-in", file(`${name}.csr`), ...signer, "-days", "30", "-extfile", file(ext), "-out", file(`${name}.pem`));
    return fs.readFileSync(file(`${name}.pem`), "utf8");
  };
  issue("root", "Bench Root", undefined, "ca.ext");
  const upper = issue("upper", "Bench Upper CA", "root", "ca.ext");
  const issuing = issue("issuing", "Bench Issuing CA", "upper", "ca.ext");
  const chains = Array.from({ length: count }, (_, i) => ({
    cert: issue(`leaf${i}`, SERVERNAME, "issuing", "leaf.ext") + issuing + upper,
    key: fs.readFileSync(file(`leaf${i}.key`), "utf8"),
  }));
  fs.rmSync(dir, { recursive: true, force: true });
  return chains;
}

function fingerprints(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => crypto.createHash("sha256").update(new crypto.X509Certificate(block).raw).digest("hex"));
}

async function checkChain(endpoint: ProbeOptions, expected: string[]): Promise<void> {
  const [outcome] = await probeMany([endpoint]);
  const got = outcome.ok ? outcome.result.certificates.map((c) => c.sha256) : [];
  if (got.join() !== expected.join()) throw new Error(`the bench servers do not serve the expected chain: ${outcome.ok ? got.join() : outcome.error.message}`);
}

async function measure(name: string, count: number, run: () => Promise<void>, ownCpu: boolean): Promise<Measurement> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { name, count, wallMs, cpuMs: ownCpu ? (cpu.user + cpu.system) / 1000 : undefined };
}

async function probeAll(endpoints: ProbeOptions[]): Promise<void> {
  const outcomes = await probeMany(endpoints, { concurrency: CONCURRENCY });
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length) throw new Error(`${failed.length} probes failed, e.g. ${(failed[0] as { error: Error }).error.message}`);
}

/** Full handshakes with no recording: connect, wait for secureConnect, close. */
async function bareLoop(endpoints: ProbeOptions[]): Promise<void> {
  const context = tls.createSecureContext({ minVersion: "TLSv1.2" });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < endpoints.length) {
      const { host, port, servername } = endpoints[next++];
      await new Promise<void>((resolve, reject) => {
        const socket = tls.connect({ host, port, servername, secureContext: context, rejectUnauthorized: false }, () => {
          socket.destroy();
          resolve();
        });
        socket.once("error", reject);
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** One `openssl s_client -showcerts` after another, as a shell loop would run them. */
async function opensslLoop(endpoints: ProbeOptions[]): Promise<void> {
  for (const { host, port, servername } of endpoints) {
    await new Promise<void>((resolve, reject) => {
      const child = execFile("openssl", ["s_client", "-connect", `${host}:${port}`, "-servername", servername ?? host, "-showcerts"], (error, stdout) => {
        if (!stdout.includes("-----BEGIN CERTIFICATE-----")) return reject(new Error(`openssl s_client failed on port ${port}: ${error?.message ?? ""}`));
        resolve();
      });
      child.stdin?.end();
    });
  }
}

/** The run with the median CPU time. */
function median(runs: Measurement[]): Measurement {
  return [...runs].sort((a, b) => (a.cpuMs ?? 0) - (b.cpuMs ?? 0))[Math.floor(runs.length / 2)];
}

function report(openssl: Measurement, bareRuns: Measurement[], probeRuns: Measurement[]): void {
  const results = [openssl, median(bareRuns), median(probeRuns)];
  const [, bare, probed] = results;
  const rate = (m: Measurement) => (m.count / m.wallMs) * 1000;
  const perProbe = (m: Measurement) => (m.cpuMs === undefined ? undefined : m.cpuMs / m.count);
  console.log(`\nprobe benchmark: ${SERVERS} servers x ${PROBES_PER_SERVER} probes = ${openssl.count} loopback endpoints (half TLS 1.2-only, half TLS 1.3), each its own leaf, chain of 3, Node ${process.version}`);
  console.log(`Node loops: median of ${RUNS} alternating runs (by CPU time)\n`);
  console.log(`${"method".padEnd(46)} ${"wall s".padStart(8)} ${"per s".padStart(8)} ${"CPU ms/probe".padStart(13)}`);
  for (const m of results) {
    const cpu = perProbe(m);
    console.log(`${m.name.padEnd(46)} ${(m.wallMs / 1000).toFixed(2).padStart(8)} ${rate(m).toFixed(0).padStart(8)} ${(cpu === undefined ? "(children)" : cpu.toFixed(3)).padStart(13)}`);
  }
  const runs = (list: Measurement[]) => list.map((m) => (perProbe(m) ?? 0).toFixed(3)).join(", ");
  console.log(`\nCPU ms/probe of every run: bare ${runs(bareRuns)}; probeMany ${runs(probeRuns)}`);
  const speedup = rate(probed) / rate(openssl);
  const cpuRatio = (perProbe(probed) ?? 0) / (perProbe(bare) ?? 1);
  console.log(`\nthroughput: probeMany / openssl loop = ${speedup.toFixed(1)}x (goal >= 10x) ${speedup >= 10 ? "MET" : "NOT MET"}`);
  console.log(`CPU per probe: probeMany / bare handshake = ${cpuRatio.toFixed(2)}x (goal <= 1.5x) ${cpuRatio <= 1.5 ? "MET" : "NOT MET"}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
