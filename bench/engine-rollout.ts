/**
 * Benchmark: the real Pulumi engine and the chainsmith provider plugin rolling a leaf out to a
 * fleet over a WAN (sshd + nginx pairs behind toxiproxy, 50 ms round trips with jitter), the
 * program bench/fleet-program. Side by side in one run:
 *   - one target; 100 targets with the engine's defaults (--parallel 8; Check and Diff of one
 *     resource after the other), with --parallel 100, and with its parallel diffs
 *     (PULUMI_PARALLEL_DIFF=true) at --parallel 32 and 100, and in chainsmith's waves of 25;
 *   - 20 targets rolled out parallel, canary, in waves of 25% and sequentially;
 *   - a plain `pulumi preview` of the 100-target stack, drift checks on, beside the same
 *     preview of a stack of the same shape whose targets are local (no network): what the
 *     drift checks add over the engine's own preview time; the same with parallel diffs.
 * Each figure beside its floor: max(one target's `up`, the run's CPU / cores), the CPU split
 * between the plugin, the program (Node.js), the engine (Go), the targets and the proxy.
 *
 *   npm run bench   (or, built: node dist/bench/engine-rollout.js; as root)
 *
 * RTT (50), FLEET (100) and TARGETS (20) override the defaults.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pki, pemOf } from "../harness/pki";
import { createStack, pulumiBinary, repoRoot, type PulumiStack } from "../harness/pulumi";
import { described } from "../harness/run";
import { processTreeCpuMs } from "./wan/cpu";
import { engineCpuDuring, type EngineCpu } from "./wan/engine-cpu";
import { chainVariants, Fleet, type Target } from "./wan/fleet";
import { Toxiproxy } from "./wan/toxiproxy";

const RTT = Number(process.env.RTT ?? 50);
const FLEET = Number(process.env.FLEET ?? 100);
const TARGETS = Number(process.env.TARGETS ?? 20);
const CORES = os.cpus().length;
const programDir = path.join(repoRoot, "bench", "fleet-program");
const log = (line: string) => process.stderr.write(`${line}\n`);
const ms = (value: number) => `${Math.round(value).toLocaleString("en")} ms`;

// The engine's own switch for running Diff calls at once (off by default: one after the other).
const PARALLEL_DIFF = { PULUMI_PARALLEL_DIFF: "true" };

interface Run {
  label: string;
  /** For previews: which stack and which flags. */
  preview?: { local: boolean; parallel: boolean };
  wallMs: number;
  cpu: EngineCpu & { targets: number; proxy: number };
  targets: number;
}

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-engine-bench-"));
  const proxy = await Toxiproxy.start();
  let fleet: Fleet | undefined;
  const stacks: PulumiStack[] = [];
  try {
    log(`starting ${FLEET + TARGETS + 1} sshd + nginx pairs behind toxiproxy...`);
    fleet = await Fleet.start(FLEET + TARGETS + 1, (await chainVariants())[1], proxy, log);
    await proxy.setLatency({ rttMs: RTT, jitterMs: RTT / 5 });
    const fleetFile = await writeFleetFiles(workDir, fleet.targets);
    const stack = async (name: string, targets: [number, number], config: Record<string, string> = {}) => {
      const s = await createStack(programDir, { config: { fleetFile: fleetFile(name, targets), leaf: "a", ...config }, transpileOnly: true, timeoutMs: 900_000 });
      stacks.push(s);
      return s;
    };
    const leafOf = new Map<PulumiStack, string>();
    const measure = async (label: string, s: PulumiStack, args: string[], targets: number, env: Record<string, string> = {}): Promise<Run> => {
      const before = { targets: await fleet!.cpuMs(), proxy: processTreeCpuMs(proxy.pid) };
      const { result, cpu } = await engineCpuDuring(() => s.run(args, { env }), pulumiBinary());
      if (result.code !== 0) throw new Error(`${label}: ${described(result)}`);
      const run = { label, wallMs: result.ms, targets, cpu: { ...cpu, targets: (await fleet!.cpuMs()) - before.targets, proxy: processTreeCpuMs(proxy.pid) - before.proxy } };
      log(`  ${label}: ${ms(run.wallMs)}`);
      return run;
    };
    // Each up deploys the other leaf, so that every target really changes.
    const up = async (label: string, s: PulumiStack, targets: number, flags: string[] = [], env: Record<string, string> = {}) => {
      const next = leafOf.get(s) === "b" ? "a" : "b";
      await s.setConfig("leaf", next);
      leafOf.set(s, next);
      return measure(label, s, ["up", "--yes", "--skip-preview", ...flags], targets, env);
    };

    log(`one target, at ${RTT} ms RTT`);
    const one = await stack("one", [FLEET + TARGETS, FLEET + TARGETS + 1]);
    await up("first up of 1 target", one, 1);
    const single = await up("1 target", one, 1);

    log(`${FLEET} targets, at ${RTT} ms RTT`);
    const hundred = await stack("hundred", [0, FLEET]);
    const runs: Run[] = [await up(`first up of ${FLEET} (creates), parallel diffs`, hundred, FLEET, ["--parallel", String(FLEET)], PARALLEL_DIFF)];
    runs.push(await up(`${FLEET} targets, engine defaults`, hundred, FLEET));
    runs.push(await up(`${FLEET} targets, --parallel ${FLEET}`, hundred, FLEET, ["--parallel", String(FLEET)]));
    for (const parallel of [32, FLEET]) runs.push(await up(`${FLEET} targets, parallel diffs, --parallel ${parallel}`, hundred, FLEET, ["--parallel", String(parallel)], PARALLEL_DIFF));

    log(`previews of the ${FLEET}-target stack and of its local twin`);
    const twin = await stack("twin", [0, FLEET], { local: "true", driftChecks: "false", leaf: leafOf.get(hundred)! });
    await measure("up of the local twin", twin, ["up", "--yes", "--skip-preview", "--parallel", String(FLEET)], FLEET);
    const previews: Run[] = [];
    for (let round = 0; round < 2; round++) {
      for (const parallel of [false, true]) {
        for (const local of [false, true]) {
          const flags = parallel ? ["--parallel", String(FLEET)] : [];
          const run = await measure(`preview, ${local ? "local twin" : "drift checks on"}${parallel ? ", parallel diffs" : ""}`, local ? twin : hundred, ["preview", "--expect-no-changes", ...flags], FLEET, parallel ? PARALLEL_DIFF : {});
          previews.push({ ...run, preview: { local, parallel } });
        }
      }
    }

    // chainsmith's own bound: waves of 25 (each verified before the next starts), under the
    // engine's widest --parallel; after the previews, which expect the parallel stack unchanged.
    await hundred.setConfig("waves", "25");
    runs.push(await up(`${FLEET} targets, chainsmith waves of 25, parallel diffs, --parallel ${FLEET}`, hundred, FLEET, ["--parallel", String(FLEET)], PARALLEL_DIFF));

    log(`${TARGETS} targets: parallel, canary, waves of 25%, sequential`);
    const twenty = await stack("twenty", [FLEET, FLEET + TARGETS]);
    await up(`first up of ${TARGETS} (creates)`, twenty, TARGETS);
    const rollouts: Run[] = [];
    for (const [label, config] of [["parallel", { rollout: "parallel" }], ["canary (the first, then the rest)", { rollout: "canary" }], ['waves of "25%"', { waves: "25%" }], ["sequential", { rollout: "sequential", waves: "" }]] as const) {
      for (const [key, value] of Object.entries(config)) await twenty.setConfig(key, value);
      rollouts.push(await up(`${TARGETS} targets, ${label}`, twenty, TARGETS, ["--parallel", String(TARGETS)], PARALLEL_DIFF));
    }

    print(single, runs, previews, rollouts);
  } finally {
    for (const s of stacks) await s.dispose().catch((error: Error) => log(`dispose: ${error.message}`));
    await fleet?.stop();
    await proxy.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** The fleet file of each stack: two leaves of one CA, its root, and the stack's share of the targets. */
async function writeFleetFiles(dir: string, targets: Target[]): Promise<(name: string, range: [number, number]) => string> {
  const pki = new Pki();
  const root = await pki.root("Bench Fleet Root");
  const ca = await pki.intermediate("Bench Fleet CA", root);
  const leaves = Object.fromEntries(await Promise.all(["a", "b"].map(async (name) => {
    const leaf = await pki.leaf(`fleet-${name}.example.test`, ca);
    return [name, { certificate: leaf.pem, privateKey: leaf.keyPem }];
  })));
  return (name, [from, to]) => {
    const file = path.join(dir, `${name}.json`);
    const chosen = targets.slice(from, to).map((t) => {
      const localDirectory = path.join(dir, name, t.name);
      fs.mkdirSync(localDirectory, { recursive: true });
      return { name: t.name, sshPort: t.sshPort, hostKeyFingerprint: t.sshd.hostKeyFingerprint, clientKey: t.sshd.clientKey, directory: t.dir, localDirectory, configTest: t.plan.configTest ?? "", reload: t.plan.reload ?? "", tlsPort: t.tlsPort };
    });
    fs.writeFileSync(file, JSON.stringify({ leaves, pool: pemOf(ca), roots: root.pem, targets: chosen }), { mode: 0o600 });
    return file;
  };
}

function cpuTotal(run: Run): number {
  return run.cpu.plugin + run.cpu.node + run.cpu.engine + run.cpu.targets + run.cpu.proxy;
}

function print(single: Run, runs: Run[], previews: Run[], rollouts: Run[]): void {
  const floor = (run: Run) => Math.max(single.wallMs, cpuTotal(run) / CORES);
  const row = (run: Run, extra = "") =>
    `  ${run.label.padEnd(68)} ${ms(run.wallMs).padStart(10)} ${ms(floor(run)).padStart(10)} ${`${(run.wallMs / floor(run)).toFixed(2)}x`.padStart(7)}  ` +
    `${ms(run.cpu.plugin).padStart(9)} ${`${(run.cpu.plugin / run.targets).toFixed(1)}`.padStart(6)} ${ms(run.cpu.node).padStart(9)} ${ms(run.cpu.engine).padStart(9)} ${ms(run.cpu.targets).padStart(9)} ${ms(run.cpu.proxy).padStart(9)}${extra}`;
  const header = `  ${"".padEnd(68)} ${"wall".padStart(10)} ${"floor".padStart(10)} ${"/floor".padStart(7)}  ${"plugin".padStart(9)} ${"/tgt".padStart(6)} ${"program".padStart(9)} ${"engine".padStart(9)} ${"targets".padStart(9)} ${"proxy".padStart(9)}`;
  console.log(`Pulumi engine + chainsmith plugin over a WAN (${RTT} ms RTT, toxiproxy), ${CORES} cores; CPU: plugin (and per target), program (Node.js: SDK + component), engine (Go CLI), targets, proxy`);
  console.log(header);
  console.log(row(single));
  for (const run of runs) console.log(row(run));
  console.log(`  floor = max(one target's up ${ms(single.wallMs)}, the run's CPU / ${CORES} cores); goal: 100 targets <= 1.3x their floor`);
  console.log("");
  console.log(`rollouts of ${TARGETS} targets through the engine (parallel diffs, --parallel ${TARGETS}):`);
  console.log(header);
  for (const run of rollouts) console.log(row(run));
  console.log("");
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const previewOf = (local: boolean, parallel: boolean) => median(previews.filter((p) => p.preview!.local === local && p.preview!.parallel === parallel).map((p) => p.wallMs));
  console.log(`pulumi preview of the ${FLEET}-target stack (median of 2), beside the same shape with local targets and no network (the engine's own time):`);
  for (const parallel of [false, true]) {
    const [linux, local] = [previewOf(false, parallel), previewOf(true, parallel)];
    console.log(`  ${(parallel ? `parallel diffs, --parallel ${FLEET}` : "plain (engine defaults)").padEnd(32)} drift checks on ${ms(linux).padStart(9)}   local twin ${ms(local).padStart(9)}   the checks add ${ms(linux - local).padStart(9)} (goal <= 1,000 ms)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
