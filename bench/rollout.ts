/**
 * Benchmark: deploy a chain to 20 Linux targets (20 real sshd + nginx pairs on loopback),
 * all in parallel with one SSH connection per host, beside the slowest target deployed
 * alone and a sequential `scp` + `ssh` shell loop doing the same work (upload, config
 * test, reload, check the served chain with `openssl s_client`).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/rollout.js
 *
 * Goals: parallel total <= 1.5x the slowest single target; >= 5x faster than the loop.
 * Runs as root (it starts sshd); both sides log in as a uid-0 user whose shell is plain sh
 * (see PLAIN_ROOT_USER). TARGETS=n and RUNS=n override the defaults.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { buildDesiredState } from "../providers/linux/desired-state";
import { deploy } from "../providers/linux/deploy";
import { planFiles, type FilePlan } from "../providers/linux/presets";
import { SshHost } from "../providers/linux/hosts/ssh-host";
import { Pki, pemOf } from "../harness/pki";
import { PLAIN_ROOT_USER, startSshd, type Sshd } from "../harness/sshd";
import { startNginx, type WebServer } from "../harness/webservers";
import { freePort } from "../harness/tls-servers";
import { childPids } from "../harness/webservers";

const TARGETS = Number(process.env.TARGETS ?? 20);
const RUNS = Number(process.env.RUNS ?? 3);

interface Target {
  sshd: Sshd;
  nginx: WebServer;
  dir: string;
  plan: FilePlan;
  knownHostsFile: string;
}

interface ChainVariant {
  name: string;
  chainPem: string;
  keyPem: string;
  certificates: number;
}

async function main(): Promise<void> {
  const pki = new Pki();
  const oldRoot = await pki.root("Bench Old Root");
  const newRoot = await pki.root("Bench New Root");
  const cross = await pki.crossSign(newRoot, oldRoot);
  const ca = await pki.intermediate("Bench Issuing CA", newRoot);
  const leaf = await pki.leaf("bench.example.test", ca);
  // Alternate between two chains so every deployment really changes the files.
  const variants: ChainVariant[] = [
    { name: "cross-signed (3 certificates)", chainPem: pemOf(leaf, ca, cross), keyPem: leaf.keyPem, certificates: 3 },
    { name: "short (2 certificates)", chainPem: pemOf(leaf, ca), keyPem: leaf.keyPem, certificates: 2 },
  ];

  const targets: Target[] = [];
  process.stderr.write(`starting ${TARGETS} sshd + nginx pairs on loopback...\n`);
  try {
    for (let i = 0; i < TARGETS; i++) targets.push(await startTarget(variants[1]));
    let turn = 0;
    const next = () => variants[turn++ % 2];
    const single: number[] = [];
    const parallel: number[] = [];
    const loop: number[] = [];
    const cpu: CpuUse[] = [];
    for (let run = 0; run < RUNS; run++) {
      const alone: number[] = [];
      for (const target of targets) alone.push(await timed(() => deployOne(target, next())));
      single.push(Math.max(...alone));
      const variant = next();
      const before = await cpuUse(targets);
      parallel.push(await timed(() => Promise.all(targets.map((t) => deployOne(t, variant)))));
      cpu.push(cpuSince(before, await cpuUse(targets)));
      const shellVariant = next();
      loop.push(await timed(async () => {
        for (const target of targets) await shellDeploy(target, shellVariant);
      }));
      process.stderr.write(
        `run ${run + 1}/${RUNS}: slowest single ${ms(single[run])}, parallel ${ms(parallel[run])} (${(parallel[run] / single[run]).toFixed(2)}x), shell loop ${ms(loop[run])} (${(loop[run] / parallel[run]).toFixed(1)}x)\n`,
      );
    }
    const [s, p, l] = [median(single), median(parallel), median(loop)];
    // Ratios are taken within each run (same machine load), then their median.
    const overSingle = median(parallel.map((value, i) => value / single[i]));
    const speedup = median(loop.map((value, i) => value / parallel[i]));
    console.log(`chainsmith rollout benchmark: ${TARGETS} targets (sshd + nginx on loopback), ${os.cpus().length} cores, median of ${RUNS} runs`);
    console.log(`  slowest single target, deployed alone       ${ms(s).padStart(9)}`);
    console.log(`  all ${TARGETS} targets in parallel (1 SSH conn/host) ${ms(p).padStart(9)}   ${overSingle.toFixed(2)}x the slowest single (goal <= 1.5x)`);
    console.log(`  sequential scp + ssh shell loop             ${ms(l).padStart(9)}   parallel is ${speedup.toFixed(1)}x faster (goal >= 5x)`);
    console.log(`  each deployment: upload fullchain + key atomically, nginx -t, reload, check the served chain on the wire`);
    const deployer = median(cpu.map((c) => c.deployerMs));
    const hosts = median(cpu.map((c) => c.targetsMs));
    console.log(`  CPU of the parallel run: chainsmith ${ms(deployer)}, the ${TARGETS} targets' sshd + nginx and the commands they ran ${ms(hosts)};`);
    console.log(`    on ${os.cpus().length} cores the targets' own work alone takes at least ${ms(hosts / os.cpus().length)} (on real targets it runs on their own CPUs)`);
  } finally {
    for (const target of targets) {
      await target.nginx.stop();
      await target.sshd.stop();
      fs.rmSync(target.dir, { recursive: true, force: true });
    }
  }
}

interface CpuUse {
  deployerMs: number;
  targetsMs: number;
}

/**
 * CPU time used so far by this process and by the targets' sshd and nginx with all their
 * descendants: live ones (nginx's current worker) and finished ones (a closed connection's sshd,
 * its shell and `nginx -t`, retired workers), which count in their parent's times once reaped.
 * Waits first for the connections to close.
 */
async function cpuUse(targets: Target[]): Promise<CpuUse> {
  for (let waited = 0; waited < 3000 && targets.some((t) => t.sshd.sessionPids().length > 0); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  const own = process.cpuUsage();
  return { deployerMs: (own.user + own.system) / 1000, targetsMs: targets.reduce((sum, t) => sum + processTreeCpuMs(t.sshd.pid) + processTreeCpuMs(t.nginx.pid), 0) };
}

function cpuSince(before: CpuUse, after: CpuUse): CpuUse {
  return { deployerMs: after.deployerMs - before.deployerMs, targetsMs: after.targetsMs - before.targetsMs };
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"]).toString());

/** utime + stime + cutime + cstime of `pid` (proc(5)) and of its live descendants, in ms. */
function processTreeCpuMs(pid: number): number {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return 0; // Exited between listing and reading: counted in its parent's times once reaped.
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND + childPids(pid).reduce((sum, child) => sum + processTreeCpuMs(child), 0);
}

async function startTarget(initial: ChainVariant): Promise<Target> {
  const sshd = await startSshd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-rollout-"));
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, "fullchain.pem"), initial.chainPem, { mode: 0o644 });
  fs.writeFileSync(path.join(dir, "privkey.pem"), initial.keyPem, { mode: 0o600 });
  const nginx = await startNginx({ certPath: path.join(dir, "fullchain.pem"), keyPath: path.join(dir, "privkey.pem"), port: await freePort() });
  const plan = planFiles({ preset: "nginx", directory: dir, configTestCommand: nginx.configTestCommand, reloadCommand: nginx.reloadCommand });
  const knownHostsFile = path.join(dir, "known_hosts");
  fs.writeFileSync(knownHostsFile, sshd.knownHostsLine + "\n");
  return { sshd, nginx, dir, plan, knownHostsFile };
}

async function deployOne(target: Target, variant: ChainVariant): Promise<void> {
  const desired = buildDesiredState({ chainPem: variant.chainPem, privateKeyPem: variant.keyPem }, target.plan);
  const host = await SshHost.connect({ host: target.sshd.host, port: target.sshd.port, user: PLAIN_ROOT_USER, privateKey: target.sshd.clientKey, hostKeyFingerprints: [target.sshd.hostKeyFingerprint] });
  try {
    await deploy(host, desired, target.plan, { endpoints: [{ host: "127.0.0.1", port: target.nginx.port }], verifyTimeoutMs: 30_000, owner: "bench" });
  } finally {
    host.close();
  }
}

// What a careful shell script does per host: upload to temporary names, move into place,
// test, reload, then poll `openssl s_client -showcerts` until the new chain is served.
async function shellDeploy(target: Target, variant: ChainVariant): Promise<void> {
  const staging = path.join(os.tmpdir(), `chainsmith-rollout-staging-${process.pid}`);
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(path.join(staging, "fullchain.pem"), variant.chainPem);
  fs.writeFileSync(path.join(staging, "privkey.pem"), variant.keyPem, { mode: 0o600 });
  const sshOptions = ["-i", target.sshd.clientKeyPath, "-o", `UserKnownHostsFile=${target.knownHostsFile}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"];
  const remote = `${PLAIN_ROOT_USER}@${target.sshd.host}`;
  await run("scp", ["-q", "-P", String(target.sshd.port), ...sshOptions, path.join(staging, "fullchain.pem"), path.join(staging, "privkey.pem"), `${remote}:${target.dir}/.upload/`], `mkdir`, target);
  const d = target.dir;
  const script = `set -e; chmod 0600 ${d}/.upload/privkey.pem; mv -f ${d}/.upload/fullchain.pem ${d}/fullchain.pem; mv -f ${d}/.upload/privkey.pem ${d}/privkey.pem; ${target.plan.configTest}; ${target.plan.reload}`;
  await run("ssh", ["-p", String(target.sshd.port), ...sshOptions, remote, script]);
  const deadline = performance.now() + 30_000;
  for (;;) {
    const out = await run("sh", ["-c", `openssl s_client -connect 127.0.0.1:${target.nginx.port} -showcerts </dev/null 2>/dev/null`]);
    if ((out.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length === variant.certificates) return;
    if (performance.now() > deadline) throw new Error(`shell loop: ${target.nginx.port} never served the ${variant.name} chain`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function run(command: string, args: string[], prepare?: "mkdir", target?: Target): Promise<string> {
  if (prepare && target) fs.mkdirSync(path.join(target.dir, ".upload"), { recursive: true });
  return new Promise((resolve, reject) =>
    execFile(command, args, { maxBuffer: 1 << 24 }, (error, stdout, stderr) => (error && command !== "sh" ? reject(new Error(`${command} failed: ${stderr}`)) : resolve(stdout))),
  );
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
