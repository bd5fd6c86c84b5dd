/**
 * Benchmark: a whole `chainsmith bundle` process, as a pipeline runs it once per
 * certificate, beside `node -e 0` (the floor of any Node program) and `cfssl bundle` on the
 * same files. Wall time per process, median and 90th percentile of interleaved rounds, so
 * that a busy machine slows every command alike.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/cli.js
 *
 * The chain has the shape of a real site's: Sectigo's RSA hierarchy (leaf, DV R36, R46
 * cross-signed by USERTrust, USERTrust cross-signed by AAA), with the roots as anchors.
 * cfssl is built by scripts/install-validators.sh.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Pki, pemOf } from "../test/fixtures/pki";
import { sectigo } from "../test/fixtures/scenarios";

const ROUNDS = 30;
const ROOT = path.resolve(__dirname, "../..");
const CHAINSMITH = path.join(ROOT, "bin", "chainsmith.js");
const CFSSL = path.join(ROOT, ".tools", "validators", "cfssl");

interface Command {
  name: string;
  argv: string[];
  /** Exit code the command must end with. */
  exit: number;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CFSSL)) throw new Error(`${CFSSL} is missing: run 'bash scripts/install-validators.sh'.`);
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
    const times = new Map<string, number[]>(commands.map((c) => [c.name, []]));
    for (let round = 0; round < ROUNDS; round++) for (const c of commands) times.get(c.name)!.push(timed(c));
    const floor = median(times.get("node -e 0")!);
    const cfssl = median(times.get(commands[4].name)!);
    console.log(`Whole processes, ${ROUNDS} interleaved rounds, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)}, Node ${process.version}\n`);
    console.log("| command | median | p90 | x node -e 0 | x cfssl |");
    console.log("|---|---|---|---|---|");
    for (const c of commands) {
      const t = times.get(c.name)!;
      console.log(`| ${c.name} | ${median(t).toFixed(1)} ms | ${percentile(t, 0.9).toFixed(1)} ms | ${(median(t) / floor).toFixed(2)} | ${(median(t) / cfssl).toFixed(1)} |`);
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

function timed(c: Command): number {
  const start = performance.now();
  spawnSync(c.argv[0], c.argv.slice(1), { stdio: "ignore" });
  return performance.now() - start;
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
