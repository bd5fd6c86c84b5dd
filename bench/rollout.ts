/**
 * Benchmark: rolling a chain out to Linux targets over a WAN. Real sshd + nginx pairs on
 * loopback, every port behind toxiproxy with a round trip of 0, 50 or 150 ms (and jitter).
 * Side by side in one run, per round-trip time: one target; 20 targets in parallel; the
 * sequential scp/ssh loop over the same 20; and at 50 ms 100 targets with a bounded
 * concurrency, with the deployer's memory and open sockets. Printed beside each figure: its
 * floor, max(one target's time, the run's CPU / cores), since here the targets' sshd and nginx
 * share the deployer's cores; and the round trips of one deployment, phase by phase.
 *
 *   npm run bench   (or: bash scripts/install-toxiproxy.sh && npx tsc -p tsconfig.json && node dist/bench/rollout.js)
 *
 * Runs as root (it starts sshd). TARGETS (20), FLEET (100), SINGLES (5) and RTTS ("0,50,150") override the defaults.
 */
import * as os from "node:os";
import { machineBusyMs, ownCpuMs, ownFootprint, processTreeCpuMs } from "./wan/cpu";
import { deployFleet, deployOne, shellDeploy } from "./wan/deployments";
import { chainVariants, Fleet, type ChainVariant, type Target } from "./wan/fleet";
import { PHASES, PHASE_WORDS, type Phase, type Phases } from "./wan/phase-clock";
import { ROUND_TRIP_FLOOR } from "./wan/round-trip-floor";
import { Toxiproxy, type Latency } from "./wan/toxiproxy";

const TARGETS = Number(process.env.TARGETS ?? 20);
const FLEET = Number(process.env.FLEET ?? 100);
const SINGLES = Number(process.env.SINGLES ?? 5);
const RTTS = (process.env.RTTS ?? "0,50,150").split(",").map(Number);
const CORES = os.cpus().length;
const FLEET_CONCURRENCY = [FLEET, 25];

const latencyOf = (rttMs: number): Latency => ({ rttMs, jitterMs: rttMs / 5 });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number) => `${Math.round(value).toLocaleString("en")} ms`;
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Cpu {
  chainsmith: number;
  targets: number;
  proxy: number;
  /** Everything else on the machine during the run (other users' work). */
  others: number;
}

interface Measured {
  wallMs: number;
  cpu: Cpu;
}

interface RttFigures {
  rttMs: number;
  one: number;
  /** Median wall time of each phase of the single deployments. */
  phases: Record<Phase, number>;
  singles: Phases[];
  parallel: Measured;
  loop: number;
}

async function main(): Promise<void> {
  const variants = await chainVariants();
  let turn = 0;
  const next = (): ChainVariant => variants[turn++ % 2];
  const proxy = await Toxiproxy.start();
  let fleet: Fleet | undefined;
  try {
    log(`starting ${FLEET} sshd + nginx pairs on loopback, each port behind toxiproxy...`);
    fleet = await Fleet.start(Math.max(FLEET, TARGETS), variants[1], proxy, log);
    const twenty = fleet.targets.slice(0, TARGETS);
    const measure = async (work: () => Promise<unknown>): Promise<Measured> => {
      const before = { targets: await fleet!.cpuMs(), proxy: processTreeCpuMs(proxy.pid) };
      const [ownBefore, machineBefore, started] = [ownCpuMs(), machineBusyMs(), performance.now()];
      await work();
      // Own CPU first: waiting for the targets' sessions to end reads /proc, work of the benchmark's.
      const [own, machine, wallMs] = [ownCpuMs() - ownBefore, machineBusyMs() - machineBefore, performance.now() - started];
      const targets = (await fleet!.cpuMs()) - before.targets;
      const proxied = processTreeCpuMs(proxy.pid) - before.proxy;
      return { wallMs, cpu: { chainsmith: own, targets, proxy: proxied, others: Math.max(0, machine - own - targets - proxied) } };
    };
    // Warm the code paths (JIT, certificate caches) before anything is timed.
    await deployFleet(twenty, next());

    const figures: RttFigures[] = [];
    let fleetRows: string[] = [];
    for (const rttMs of RTTS) {
      await proxy.setLatency(latencyOf(rttMs));
      log(`round trip ${rttMs} ms: ${SINGLES} single deployments, ${TARGETS} in parallel, the shell loop over ${TARGETS}`);
      const singles: Phases[] = [];
      for (const target of twenty.slice(0, SINGLES)) singles.push(await deployOne(target, next()));
      const totals = singles.map((p) => PHASES.reduce((sum, phase) => sum + p[phase].wall, 0));
      const phases = Object.fromEntries(PHASES.map((phase) => [phase, median(singles.map((p) => p[phase].wall))])) as Record<Phase, number>;
      const variant = next();
      const parallel = await measure(() => deployFleet(twenty, variant));
      const shellVariant = next();
      const loopStarted = performance.now();
      for (const target of twenty) await shellDeploy(target, shellVariant);
      figures.push({ rttMs, one: median(totals), phases, singles, parallel, loop: performance.now() - loopStarted });
      if (rttMs === 50) fleetRows = await hundredTargets(fleet.targets.slice(0, FLEET), median(totals), next, measure);
    }
    printRollout(figures);
    if (fleetRows.length) console.log(fleetRows.join("\n"));
    printRoundTrips(figures);
    printCpuByPhase(figures);
  } finally {
    await fleet?.stop();
    await proxy.stop();
  }
}

async function hundredTargets(targets: Target[], one: number, next: () => ChainVariant, measure: (work: () => Promise<unknown>) => Promise<Measured>): Promise<string[]> {
  const rows = [
    "",
    `${targets.length} targets at 50 ms RTT, chainsmith's own bounded concurrency (a new deployment starts as one ends):`,
    `  ${"in flight".padEnd(10)} ${"wall".padStart(9)} ${"floor".padStart(9)} ${"ratio".padStart(7)} ${"other load".padStart(10)} ${"free floor".padStart(10)} ${"ratio".padStart(7)}  ${"chainsmith CPU".padStart(16)}  deployer: RSS, live heap, open sockets: before / peak / after`,
  ];
  for (const concurrency of FLEET_CONCURRENCY) {
    log(`${targets.length} targets at 50 ms, ${concurrency} at a time`);
    const before = ownFootprint(true);
    let peak = before;
    const sampler = setInterval(() => {
      const now = ownFootprint();
      peak = { rssMiB: Math.max(peak.rssMiB, now.rssMiB), heapMiB: Math.max(peak.heapMiB, now.heapMiB), sockets: Math.max(peak.sockets, now.sockets) };
    }, 250);
    const variant = next();
    const run = await measure(() => deployFleet(targets, variant, concurrency)).finally(() => clearInterval(sampler));
    const after = ownFootprint(true);
    const [floor, free] = [floorOf(one, run.cpu), freeFloorOf(one, run)];
    const each = (pick: (f: typeof before) => number) => [before, peak, after].map((f) => pick(f).toFixed(0)).join("/");
    rows.push(
      `  ${String(concurrency).padEnd(10)} ${ms(run.wallMs).padStart(9)} ${ms(floor).padStart(9)} ${`${(run.wallMs / floor).toFixed(2)}x`.padStart(7)} ${`${load(run)} cores`.padStart(10)} ${ms(free).padStart(10)} ${`${(run.wallMs / free).toFixed(2)}x`.padStart(7)}  ${`${(run.cpu.chainsmith / targets.length).toFixed(1)} ms/deploy`.padStart(16)}  ` +
        `${each((f) => f.rssMiB)} MiB, ${each((f) => f.heapMiB)} MiB, ${each((f) => f.sockets)}`,
    );
  }
  rows.push(`  goal: <= 1.3x the floor; floor = max(one target ${ms(one)}, the run's CPU / ${CORES} cores); free floor: the cores the machine's other load left`);
  return rows;
}

function floorOf(one: number, cpu: Cpu): number {
  return Math.max(one, (cpu.chainsmith + cpu.targets + cpu.proxy) / CORES);
}

/** The same floor with the cores the rest of the machine left free during the run. */
function freeFloorOf(one: number, run: Measured): number {
  const free = Math.max(0.25, CORES - run.cpu.others / run.wallMs);
  return Math.max(one, (run.cpu.chainsmith + run.cpu.targets + run.cpu.proxy) / free);
}

const load = (run: Measured) => `${(run.cpu.others / run.wallMs).toFixed(2)}`;

function printRollout(figures: RttFigures[]): void {
  console.log(`chainsmith WAN rollout: ${TARGETS} Linux targets (sshd + nginx on loopback behind toxiproxy), ${CORES} cores`);
  console.log(`each deployment: SSH login, read the files, write fullchain + key atomically, nginx -t + reload, the new chain on 3 probes in a row`);
  const header = ["RTT", "one target", `${TARGETS} parallel`, "floor", "/one", "/floor", "other load", "free floor", "/free", "scp+ssh loop", "speedup", "CPU/deploy", "targets CPU", "proxy CPU"];
  const rows = figures.map((f) => {
    const [floor, free] = [floorOf(f.one, f.parallel.cpu), freeFloorOf(f.one, f.parallel)];
    return [
      `${f.rttMs} ms`,
      ms(f.one),
      ms(f.parallel.wallMs),
      ms(floor),
      `${(f.parallel.wallMs / f.one).toFixed(2)}x`,
      `${(f.parallel.wallMs / floor).toFixed(2)}x`,
      `${load(f.parallel)} cores`,
      ms(free),
      `${(f.parallel.wallMs / free).toFixed(2)}x`,
      ms(f.loop),
      `${(f.loop / f.parallel.wallMs).toFixed(1)}x`,
      `${(f.parallel.cpu.chainsmith / TARGETS).toFixed(1)} ms`,
      ms(f.parallel.cpu.targets),
      ms(f.parallel.cpu.proxy),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) console.log(`  ${row.map((cell, i) => cell.padStart(widths[i])).join("  ")}`);
  console.log(`  goals at 50 ms: ${TARGETS} parallel <= 1.3x one target; >= 10x the loop; chainsmith's CPU <= 10 ms per deployment`);
  console.log(`  floor = max(one target, the parallel run's CPU (chainsmith + targets + proxy) / ${CORES} cores); other load: the rest of the machine's work`);
  console.log(`  during the run, in cores; free floor: the floor on the cores it left. CPU/deploy: chainsmith's own`);
}

function printRoundTrips(figures: RttFigures[]): void {
  const at = (rttMs: number) => figures.find((f) => f.rttMs === rttMs);
  const [low, high] = [at(50), at(150)];
  if (!low || !high) return;
  console.log("");
  console.log("round trips of one deployment (extra time from 50 to 150 ms RTT / 100 ms; the floor: what the protocols allow):");
  let total = 0;
  let floor = 0;
  for (const phase of PHASES.filter((p) => p !== "desired")) {
    const trips = (high.phases[phase] - low.phases[phase]) / (high.rttMs - low.rttMs);
    total += trips;
    floor += ROUND_TRIP_FLOOR[phase].trips;
    console.log(`  ${PHASE_WORDS[phase].padEnd(50)} ${trips.toFixed(1).padStart(5)}   floor ${String(ROUND_TRIP_FLOOR[phase].trips).padStart(2)}  ${ROUND_TRIP_FLOOR[phase].why}`);
  }
  console.log(`  ${"total".padEnd(50)} ${total.toFixed(1).padStart(5)}   floor ${String(floor).padStart(2)}  (+1 per TCP connection on a real network: toxiproxy accepts at once)`);
}

function printCpuByPhase(figures: RttFigures[]): void {
  console.log("");
  console.log(`chainsmith's CPU in one deployment, by phase (median of ${SINGLES} single deployments at each RTT):`);
  console.log(`  ${"".padEnd(50)} ${figures.map((f) => `${f.rttMs} ms RTT`.padStart(11)).join("")}`);
  const cpuOf = (f: RttFigures, phase: Phase) => median(f.singles.map((p) => p[phase].cpu));
  for (const phase of PHASES) console.log(`  ${PHASE_WORDS[phase].padEnd(50)} ${figures.map((f) => `${cpuOf(f, phase).toFixed(1)} ms`.padStart(11)).join("")}`);
  const totals = figures.map((f) => median(f.singles.map((p) => PHASES.reduce((sum, phase) => sum + p[phase].cpu, 0))));
  console.log(`  ${"total (goal <= 10 ms)".padEnd(50)} ${totals.map((t) => `${t.toFixed(1)} ms`.padStart(11)).join("")}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
