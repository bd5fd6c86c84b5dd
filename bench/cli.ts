/**
 * Benchmark: a whole `chainsmith bundle` process, as a pipeline runs it once per
 * certificate, beside `node -e 0` (the floor of any Node program) and `cfssl bundle` on the
 * same files. Per process: wall time and CPU time (user + system, from bash's `time`, which
 * a busy machine inflates far less than wall time), medians of interleaved rounds.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/cli.js
 *
 * The chain has the shape of a real site's: Sectigo's RSA hierarchy (leaf, DV R36, R46
 * cross-signed by USERTrust, USERTrust cross-signed by AAA), with the roots as anchors.
 * cfssl is built by scripts/install-verifiers.sh.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../harness/repo-root";
import { Pki, pemOf } from "../harness/pki";
import { sectigo } from "../harness/scenarios";

const ROUNDS = 30;
const ROOT = repoRoot;
const CHAINSMITH = path.join(ROOT, "bin", "chainsmith.js");
const CFSSL = path.join(ROOT, ".tools", "verifiers", "cfssl");

interface Command {
  name: string;
  argv: string[];
  /** Exit code the command must end with. */
  exit: number;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CFSSL)) throw new Error(`${CFSSL} is missing: run 'bash scripts/install-verifiers.sh'.`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-bench-cli-"));
  try {
    const s = await sectigo(new Pki());
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const leaf = file("leaf.pem", s.leaf.pem);
    const pool = file("pool.pem", pemOf(...s.rsaPool));
    const roots = file("roots.pem", pemOf(s.aaa, s.usertrustRsa, s.r46));
    const aaa = file("aaa.pem", pemOf(s.aaa));
    const commands: Command[] = [
      { name: "node -e 0", argv: [process.execPath, "-e", "0"], exit: 0 },
      { name: "chainsmith bundle --help", argv: [process.execPath, CHAINSMITH, "bundle", "--help"], exit: 0 },
      { name: "chainsmith bundle (--anchors roots.pem)", argv: [process.execPath, CHAINSMITH, "bundle", "--leaf", leaf, "--pool", pool, "--anchors", roots], exit: 0 },
      // Mozilla's roots are read and indexed; the test PKI's roots, given as anchors too, end the path.
      {
        name: "chainsmith bundle (--profile mozilla --profile legacy=aaa.pem --anchors roots.pem)",
        argv: [process.execPath, CHAINSMITH, "bundle", "--leaf", leaf, "--pool", pool, "--profile", "mozilla", "--profile", `legacy=${aaa}`, "--anchors", roots],
        exit: 0,
      },
      { name: "cfssl bundle (-ca-bundle roots.pem)", argv: [CFSSL, "bundle", "-cert", leaf, "-int-bundle", pool, "-ca-bundle", roots], exit: 0 },
    ];
    for (const c of commands) check(c);
    const runs = new Map<string, Timing[]>(commands.map((c) => [c.name, []]));
    for (let round = 0; round < ROUNDS; round++) for (const c of commands) runs.get(c.name)!.push(timed(c));
    const wall = (name: string) => median(runs.get(name)!.map((t) => t.wall));
    const cpu = (name: string) => median(runs.get(name)!.map((t) => t.cpu));
    const [floor, cfssl] = ["node -e 0", commands[commands.length - 1].name];
    console.log(`Whole processes, medians of ${ROUNDS} interleaved rounds, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)}, Node ${process.version}\n`);
    console.log("| command | wall | CPU | wall x node -e 0 | CPU x node -e 0 | wall x cfssl |");
    console.log("|---|---|---|---|---|---|");
    for (const { name } of commands) {
      console.log(`| ${name} | ${wall(name).toFixed(1)} ms | ${cpu(name).toFixed(0)} ms | ${(wall(name) / wall(floor)).toFixed(2)} | ${(cpu(name) / cpu(floor)).toFixed(2)} | ${(wall(name) / wall(cfssl)).toFixed(1)} |`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs once and fails unless the command ends as expected (a benchmark of an error is no benchmark). */
function check(c: Command): void {
  const run = spawnSync(c.argv[0], c.argv.slice(1), { encoding: "utf8" });
  if (run.status !== c.exit) throw new Error(`${c.name} exited ${run.status}, expected ${c.exit}: ${run.stderr}`);
}

interface Timing {
  wall: number;
  /** User + system CPU of the process, ms. */
  cpu: number;
}

/** One run under bash's `time` (it times the command alone, not bash). */
function timed(c: Command): Timing {
  const run = spawnSync("bash", ["-c", 'TIMEFORMAT="%3R %3U %3S"; time "$@" >/dev/null 2>&1', "bash", ...c.argv], { encoding: "utf8" });
  const [real, user, system] = run.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { wall: real * 1000, cpu: (user + system) * 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
