/**
 * Benchmark: the cost of the served-chain drift checks on a plain `pulumi preview` of a
 * 20-target stack (examples/local-demo with 20 local TLS servers on loopback), beside the
 * same preview with the checks off (driftChecks: false), and the check's own work timed
 * alone. It drives the real engine on the example program, which runs from its sources, so
 * this script runs from the sources too (after scripts/setup.sh):
 *   npx vite-node bench/preview.ts
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as site from "../examples/local-demo/demo-site";
import { inspectEndpoints, problemsOf } from "../providers/served-chain/inspect";
import { described } from "../harness/run";
import { createStack } from "../harness/pulumi";

const TARGETS = 20;
const RUNS = 3;
const programDir = path.join(__dirname, "..", "examples", "local-demo");
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-bench-preview-"));
  const running = await site.startSite(stateDir, TARGETS);
  const stack = await createStack(programDir, { config: { stateDir, servers: String(TARGETS) }, transpileOnly: true });
  try {
    const up = await stack.run(["up", "--yes", "--skip-preview"], { timeoutMs: 300_000 });
    if (up.code !== 0) throw new Error(described(up));
    const timesOf = async (driftChecks: boolean) => {
      await stack.setConfig("driftChecks", String(driftChecks));
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await stack.run(["preview", "--expect-no-changes"]);
        if (r.code !== 0) throw new Error(described(r));
        ms.push(r.ms);
      }
      return ms;
    };
    // Alternate the two settings so that load on the shared machine hits both alike.
    const on: number[] = [];
    const off: number[] = [];
    for (let round = 0; round < 2; round++) {
      on.push(...(await timesOf(true)));
      off.push(...(await timesOf(false)));
    }
    // The same work as the check's diff, timed alone (the engine's noise left out).
    const pem = (name: string) => fs.readFileSync(path.join(stateDir, "pki", name), "utf8");
    const expectation = {
      endpoints: running.servers.map((srv) => ({ host: "127.0.0.1", port: srv.port })),
      desiredChain: pem("leaf.pem") + pem("intermediate.pem") + pem("root-r46-by-legacy.pem"),
      profiles: [
        { name: "legacy", roots: pem("legacy-root.pem") },
        { name: "modern", roots: pem("root-r46.pem") },
      ],
    };
    const direct: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const problems = problemsOf(await inspectEndpoints(expectation), expectation);
      if (problems.length > 0) throw new Error(`the endpoints do not pass: ${problems.map((p) => p.message).join("; ")}`);
      direct.push(Math.round(performance.now() - started));
    }
    console.log(
      `pulumi preview, ${TARGETS} local targets + 1 verification of ${TARGETS} endpoints (loopback), ${on.length} runs each:\n` +
        `  drift checks on : median ${median(on)} ms  (${on.join(", ")})\n` +
        `  drift checks off: median ${median(off)} ms  (${off.join(", ")})\n` +
        `  cost of the checks: ${median(on) - median(off)} ms (difference of medians)\n` +
        `  the check's work alone (probe + judge ${TARGETS} endpoints): median ${median(direct)} ms (${direct.join(", ")})`,
    );
  } finally {
    await stack.dispose();
    running.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
