/**
 * Benchmark: `chainsmith inspect --targets` over a fleet of 10,000 endpoints on loopback (100
 * Node TLS servers in a child process, each its own leaf, x 100 server names), as a user runs
 * it: the CLI's wall time, CPU and peak memory, with 1,000 and with 10,000 endpoints (memory
 * must not grow with the fleet), as text, as JSON lines, and with the progress bar on a
 * terminal (a pty from script(1)): how often it redraws, what it costs. Beside it, the peer: an
 * `openssl s_client -showcerts` loop over 100 of the endpoints, scaled to the fleet.
 *
 *   npm run bench   (or, built: node dist/bench/inspect-fleet.js)
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startTlsServers } from "./tls-servers-child";
import { Pki, pemOf } from "../harness/pki";
import { repoRoot } from "../harness/repo-root";

const SERVERS = 100;
const NAMES_PER_SERVER = 100;
const PEER_SAMPLE = 100;
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Usage {
  wallS: number;
  cpuS: number;
  peakMiB: number;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-inspect-bench-"));
  const pki = new Pki();
  const root = await pki.root("Bench Inspect Root");
  const ca = await pki.intermediate("Bench Inspect CA", root);
  const chains: { cert: string; key: string }[] = [];
  for (let i = 0; i < SERVERS; i++) {
    const leaf = await pki.leaf(`s${i}.inspect.test`, ca, { dnsNames: [`*.s${i}.inspect.test`] });
    chains.push({ cert: pemOf(leaf, ca), key: leaf.keyPem });
  }
  fs.writeFileSync(path.join(dir, "roots.pem"), root.pem);
  const { ports, stop } = await startTlsServers(chains);
  try {
    const targets = (count: number) => {
      const file = path.join(dir, `targets-${count}.txt`);
      const lines: string[] = [];
      for (let n = 0; lines.length < count; n++) for (const [i, port] of ports.entries()) if (lines.length < count) lines.push(`127.0.0.1:${port} host${n}.s${i}.inspect.test`);
      fs.writeFileSync(file, `# ${count} endpoints\n${lines.join("\n")}\n`);
      return file;
    };
    const fleet = SERVERS * NAMES_PER_SERVER;
    const inspect = (count: number, extra: string[] = []) => ["inspect", "--targets", targets(count), "--profile", `bench=${path.join(dir, "roots.pem")}`, ...extra];
    await cli(inspect(200), dir); // warm the page cache and the servers
    log(`inspect --targets: 1,000 and ${fleet.toLocaleString("en")} endpoints, text, JSON lines, and on a terminal`);
    const small = await cli(inspect(1000), dir);
    const text = await cli(inspect(fleet), dir);
    const json = await cli(inspect(fleet, ["--json"]), dir);
    const terminal = await cli(inspect(fleet), dir, true);
    log(`peer: openssl s_client -showcerts over ${PEER_SAMPLE} endpoints`);
    const peerS = await opensslLoop(ports.slice(0, PEER_SAMPLE));

    console.log(`chainsmith inspect --targets on loopback: ${SERVERS} Node TLS servers (own leaf each, chain of 2) x ${NAMES_PER_SERVER} server names, ${os.cpus().length} cores; the servers in a child process`);
    const row = (label: string, count: number, u: Usage, note = "") =>
      console.log(`  ${label.padEnd(38)} ${count.toLocaleString("en").padStart(7)} ${`${u.wallS.toFixed(1)} s`.padStart(8)} ${`${Math.round(count / u.wallS)}/s`.padStart(8)} ${`${((u.cpuS * 1000) / count).toFixed(2)} ms`.padStart(9)} ${`${u.peakMiB.toFixed(0)} MiB`.padStart(8)}${note}`);
    console.log(`  ${"".padEnd(38)} ${"endpts".padStart(7)} ${"wall".padStart(8)} ${"rate".padStart(8)} ${"CPU/endpt".padStart(9)} ${"peak RSS".padStart(8)}`);
    row("text (stdout to a file)", 1000, small.usage);
    row("text (stdout to a file)", fleet, text.usage, `   ${fleet / 1000}x the endpoints: ${(text.usage.peakMiB / small.usage.peakMiB).toFixed(2)}x the memory`);
    row("--json (one line per endpoint)", fleet, json.usage);
    row("on a terminal (progress bar on stderr)", fleet, terminal.usage, `   ${terminal.redraws.toLocaleString("en")} redraws, ${(terminal.stderrBytes / 1024).toFixed(0)} KiB to the terminal`);
    console.log(`  peer: openssl s_client -showcerts loop, ${PEER_SAMPLE} endpoints in ${peerS.toFixed(1)} s: ${(peerS * (fleet / PEER_SAMPLE) / 60).toFixed(0)} min for ${fleet.toLocaleString("en")} (inspect is ${((peerS * (fleet / PEER_SAMPLE)) / text.usage.wallS).toFixed(0)}x faster)`);
    console.log(`  every run: ${text.summary}`);
  } finally {
    stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the CLI (under script(1) for a terminal), stdout to a file; its usage from GNU time. */
async function cli(args: string[], dir: string, onTerminal = false): Promise<{ usage: Usage; summary: string; redraws: number; stderrBytes: number }> {
  const out = path.join(dir, "out.txt");
  const timeFile = path.join(dir, "time.txt");
  const command = ["/usr/bin/time", "-o", timeFile, "-f", "%e %U %S %M", process.execPath, path.join(repoRoot, "bin", "chainsmith.js"), ...args];
  const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const stderr = await new Promise<string>((resolve, reject) =>
    onTerminal
      ? execFile("script", ["-qefc", `${quoted} > ${out}`, "/dev/null"], { maxBuffer: 1 << 28 }, (e, stdout) => (e && e.code !== 1 ? reject(e) : resolve(stdout)))
      : execFile("sh", ["-c", `${quoted} > ${out}`], { maxBuffer: 1 << 28 }, (e, _stdout, errors) => (e && e.code !== 1 ? reject(new Error(errors)) : resolve(errors))),
  );
  const [wallS, userS, systemS, maxKiB] = fs.readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-4).map(Number);
  const output = fs.readFileSync(out, "utf8");
  const summary = args.includes("--json") ? `${output.split("\n").filter((l) => l.includes('"ok":true')).length} JSON lines with ok` : (/\d+ endpoints: .*/.exec(output)?.[0] ?? "no summary line");
  return { usage: { wallS, cpuS: userS + systemS, peakMiB: maxKiB / 1024 }, summary, redraws: (stderr.match(/\] \d+\/\d+/g) ?? []).length, stderrBytes: Buffer.byteLength(stderr) };
}

async function opensslLoop(ports: number[]): Promise<number> {
  const started = performance.now();
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const child = execFile("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", `host0.s0.inspect.test`, "-showcerts"], (error, stdout) =>
        stdout.includes("-----BEGIN CERTIFICATE-----") ? resolve() : reject(new Error(`openssl s_client failed on port ${port}: ${error?.message ?? ""}`)),
      );
      child.stdin?.end();
    });
  }
  return (performance.now() - started) / 1000;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
