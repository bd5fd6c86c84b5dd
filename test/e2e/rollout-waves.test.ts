// A canary rollout in waves on the real engine (examples/local-demo, three local servers,
// waves of one): the first wave deploys and verifies, the second server's deployment fails
// (an impostor answers on its port with other files), and the third server, in the last wave,
// is never touched. The program says what is done where: the plan, then each wave that passed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { described } from "../../harness/run";
import { createStack, type PulumiStack } from "../../harness/pulumi";
import * as site from "../../examples/local-demo/demo-site";

const programDir = path.join(__dirname, "..", "..", "examples", "local-demo");
const touched = (dir: string) => fs.existsSync(path.join(dir, "fullchain.pem.chainsmith.bak"));

describe("rollout in waves stops at the first failing wave (examples/local-demo, three local servers)", () => {
  let stack: PulumiStack | undefined;
  let stateDir: string;
  let running: site.DemoSite | undefined;
  let impostor: site.DemoServer | undefined;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-waves-"));
    running = await site.startSite(stateDir, 3);
    // The second server's port answers with an impostor that reads its own files (the leaf alone); the reload reaches the impostor.
    const second = running.servers[1];
    site.stopServer(second);
    await site.waitUntilStopped(second);
    const pki = path.join(stateDir, "pki");
    impostor = await site.startServer(path.join(stateDir, "impostor"), [path.join(pki, "leaf.pem")], path.join(pki, "leaf.key"), second.port);
    fs.writeFileSync(path.join(second.dir, "server.pid"), String(impostor.pid));
    stack = await createStack(programDir, { config: { stateDir, servers: "3", waves: "1", verifyTimeoutMs: "2000" }, transpileOnly: true });
  });

  afterAll(async () => {
    await stack?.dispose();
    running?.stop();
    if (impostor) site.stopServer(impostor);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("up deploys and verifies wave 1, fails in wave 2 with the cause, and leaves wave 3 untouched", async () => {
    const [first, second, third] = running!.servers;
    const r = await stack!.run(["up", "--yes", "--skip-preview"]);
    expect(r.code, described(r)).not.toBe(0);
    expect(r.stdout).toContain("chainsmith rollout: 3 waves, each verified before the next starts: 1 target (server-1), 1 (server-2), 1 (server-3)");
    expect(r.stdout).toContain("chainsmith rollout: wave 1 of 3 deployed and verified (1 target); 2 targets in later waves");
    expect(r.stdout).not.toContain("wave 2 of 3 deployed and verified");
    expect(r.stdout).toContain(`after the reload the endpoints did not serve the new chain within 2000 ms: 127.0.0.1:${second.port}`);
    expect(r.stdout).not.toMatch(/local-demo-server-3\s+creat/);
    expect([touched(first.dir), touched(second.dir), touched(third.dir)]).toEqual([true, true, false]);
  });
});
