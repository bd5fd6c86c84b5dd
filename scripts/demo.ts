// `npm run demo`: examples/local-demo end to end on this machine. Starts a local TLS server
// serving the short chain, prints what legacy and modern clients make of it, runs
// `pulumi up` (file backend in examples/local-demo/.state/, passphrase, offline), prints the
// verdicts again and the deployment's report, then stops the server.
// Run by scripts/demo.sh with vite-node; the Pulumi CLI runs through harness/pulumi.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import { createStack } from "../harness/pulumi";

import * as site from "../examples/local-demo/demo-site";

const programDir = path.resolve(__dirname, "..", "examples", "local-demo");
const stateDir = path.join(programDir, ".state");

/** One demo at a time in a checkout: a second would remove the first one's state under it. */
function takeLock(): (() => void) | undefined {
  const lock = path.join(programDir, ".state.lock");
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
  } catch {
    const holder = Number(fs.readFileSync(lock, "utf8"));
    if (holder > 0 && fs.existsSync(`/proc/${holder}`)) {
      console.error(`Another demo is running in this checkout (pid ${holder}). Wait for it to end, or run the demo from another clone.`);
      return undefined;
    }
    fs.writeFileSync(lock, String(process.pid)); // left by a run that was killed
  }
  return () => fs.rmSync(lock, { force: true });
}

async function main(): Promise<number> {
  const started = Date.now();
  const unlock = takeLock();
  if (!unlock) return 1;
  process.once("exit", unlock);
  site.stopLeftoverServers(stateDir);
  fs.rmSync(stateDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(stateDir, "backend"), { recursive: true });
  const { servers, stop } = await site.startSite(stateDir, 1);
  // Ctrl-C (or a CI timeout) stops the server too: it is detached, so nothing else would.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      stop();
      process.exit(130);
    });
  }
  try {
    console.log(`A local TLS server serves the short chain (leaf + intermediate) on 127.0.0.1:${servers[0].port}.\n\nBefore:`);
    console.log((await site.verdicts(stateDir, servers)).join("\n"));

    const stack = await createStack(programDir, {
      stackName: "demo",
      config: { stateDir },
      transpileOnly: true,
      env: { PULUMI_BACKEND_URL: `file://${path.join(stateDir, "backend")}` },
    });
    console.log("\npulumi up ...");
    const up = await stack.run(["up", "--yes", "--skip-preview"]);
    if (up.code !== 0) {
      console.error(up.stdout + up.stderr);
      return 1;
    }
    console.log(`pulumi up done in ${(up.ms / 1000).toFixed(1)} s\n\nAfter:`);
    console.log((await site.verdicts(stateDir, servers)).join("\n"));
    const outputs = await stack.outputs();
    console.log(`\nChosen chain: ${(outputs.chain as string[]).join(" > ")}\n\n${outputs.explanation as string}`);
    fs.writeFileSync(path.join(stateDir, "report.md"), outputs.report as string);
    console.log(`Markdown report (Mermaid graph, per-client table): ${path.relative(process.cwd(), path.join(stateDir, "report.md"))}`);
    console.log(`Pulumi state: ${path.relative(process.cwd(), path.join(stateDir, "backend"))} (passphrase "chainsmith-e2e")`);
    // Keep the stack's config (its passphrase salt) beside the state; the temp dir goes.
    fs.copyFileSync(stack.configFile, path.join(stateDir, path.basename(stack.configFile)));
    fs.rmSync(stack.workDir, { recursive: true, force: true });
    console.log(`\nDemo done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return 0;
  } finally {
    stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
