// A deployment whose verification fails stops the rollout: `sequential` when the first
// server answers with another chain than the one deployed (the target writes files this
// server does not read), `canary` when a required client does not trust the chosen chain.
// `pulumi up` fails with the cause and the fix; the second server is never touched.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedDifference } from "../support/served-difference";
import { described } from "../../harness/run";
import { createStack, type PulumiResult, type PulumiStack } from "../../harness/pulumi";

import * as site from "../../examples/local-demo/demo-site";

const programDir = path.join(__dirname, "..", "..", "examples", "local-demo");
const untouched = (dir: string) => !fs.existsSync(path.join(dir, "fullchain.pem.chainsmith.bak"));

describe("rollout stops at a failed verification (examples/local-demo, two local servers)", () => {
  let stack: PulumiStack | undefined;
  let stateDir: string;
  let running: site.DemoSite | undefined;
  let impostor: site.DemoServer | undefined;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-rollout-"));
    running = await site.startSite(stateDir, 2);
    stack = await createStack(programDir, { config: { stateDir, servers: "2", verifyTimeoutMs: "2000" }, transpileOnly: true });
  });

  afterAll(async () => {
    await stack?.dispose();
    running?.stop();
    if (impostor) site.stopServer(impostor);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("sequential: the first server answers with another chain; up fails with the cause and the second server is not touched", async () => {
    // Another server (its own files: the leaf alone) takes over the first server's port and PID file.
    const [first, second] = running!.servers;
    process.kill(first.pid, "SIGTERM");
    await site.waitUntilStopped(first);
    const pki = path.join(stateDir, "pki");
    impostor = await site.startServer(path.join(stateDir, "impostor"), [path.join(pki, "leaf.pem")], path.join(pki, "leaf.key"), first.port);
    fs.writeFileSync(path.join(first.dir, "server.pid"), String(impostor.pid));

    await stack!.setConfig("rollout", "sequential");
    const r = await stack!.run(["up", "--yes", "--skip-preview"]);
    expect(r.code, described(r)).not.toBe(0);
    const file = (name: string) => path.join(pki, name);
    expect(r.stdout).toContain(`after the reload the endpoints did not serve the new chain within 2000 ms: 127.0.0.1:${first.port}: ${servedDifference([file("leaf.pem"), file("intermediate.pem"), file("root-r46-by-legacy.pem")], [file("leaf.pem")])}`);
    expect(r.stdout).toMatch(/The previous files are back in place/);
    expect(r.stdout).not.toMatch(/local-demo-server-2\s+creat/);
    expect(untouched(second.dir)).toBe(true);
    expect(r.stdout + r.stderr).not.toMatch(/PRIVATE KEY/);
  });

  it("canary: a required client does not trust the chosen chain; up fails with the cause and the fix, the rest is not touched", async () => {
    const [first, second] = running!.servers;
    site.stopServer(impostor!);
    await site.waitUntilStopped(impostor!);
    impostor = undefined;
    const pki = path.join(stateDir, "pki");
    running!.servers[0] = await site.startServer(first.dir, [path.join(pki, "leaf.pem"), path.join(pki, "intermediate.pem")], path.join(pki, "leaf.key"), first.port);

    await stack!.setConfig("rollout", "canary");
    await stack!.setConfig("policy", "shortest");
    const r = await stack!.run(["up", "--yes", "--skip-preview"]);
    expect(r.code, described(r)).not.toBe(0);
    expect(r.stdout).toMatch(/local-demo-verify-canary/);
    expect(r.stdout).toMatch(new RegExp(`verification failed: 127\\.0\\.0\\.1:${first.port}: client profile "legacy" does not trust the served chain`));
    expect(r.stdout).toMatch(/Fix: choose a chain those clients trust/);
    expect(r.stdout).not.toMatch(/local-demo-server-2\s+creat/);
    expect(untouched(second.dir)).toBe(true);
    expect(untouched(first.dir)).toBe(false);
  });
});
