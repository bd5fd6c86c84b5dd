// examples/local-demo on the real Pulumi engine (file backend, passphrase, offline) against
// real local TLS servers: up and verification, no secret in the exported state, drift shown
// by a plain preview and failing --expect-no-changes and refresh --preview-only, repair by up,
// a renewal rolled out canary first, and destroy restoring what the servers had.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedDifference } from "../support/served-difference";
import { expectPipelinesToFailOnDrift } from "./pipeline-checks";
import { described } from "../../harness/run";
import { createStack, type PulumiResult, type PulumiStack } from "../../harness/pulumi";

import * as site from "../../examples/local-demo/demo-site";
import { makeLeaf } from "../../examples/local-demo/demo-pki";
import { waitUntilSteady } from "../../harness/eventually";
import { probe } from "../../probe/probe";

const programDir = path.join(__dirname, "..", "..", "examples", "local-demo");
const read = (file: string) => fs.readFileSync(file, "utf8");

describe("examples/local-demo on the real engine, canary rollout to two local servers", () => {
  let stack: PulumiStack | undefined;
  let stateDir: string;
  let running: site.DemoSite | undefined;
  const timings: string[] = [];
  const timed = (label: string, r: PulumiResult) => (timings.push(`${label} ${r.ms} ms`), r);
  const servedLabels = async () => ((await stack!.outputs()).servedChains as { chain: string[] }[]).map((e) => e.chain.length);

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-local-demo-"));
    running = await site.startSite(stateDir, 2);
    stack = await createStack(programDir, { config: { stateDir, servers: "2", rollout: "canary", verifyTimeoutMs: "5000" }, transpileOnly: true });
  });

  afterAll(async () => {
    await stack?.dispose();
    running?.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
    if (timings.length) console.log(`local-demo pulumi timings: ${timings.join(", ")}`);
  });

  it("pulumi up deploys the cross-signed chain and the verification passes for both clients", async () => {
    const before = await site.verdicts(stateDir, running!.servers);
    expect(before.join("\n")).toMatch(/legacy\s+FAIL/);
    const r = timed("up", await stack!.run(["up", "--yes", "--skip-preview"]));
    expect(r.code, described(r)).toBe(0);
    const after = (await site.verdicts(stateDir, running!.servers)).join("\n");
    expect(after).not.toMatch(/FAIL/);
    expect(after.match(/legacy\s+PASS/g)).toHaveLength(2);
    const out = await stack!.outputs();
    expect(out.chain).toEqual([expect.stringMatching(/^localhost /), expect.stringMatching(/^Demo DV CA R36 /), expect.stringMatching(/^Demo Root R46 /)]);
    expect(await servedLabels()).toEqual([3, 3]);
    expect((out.compatibility as { trusted: boolean }[]).every((c) => c.trusted)).toBe(true);
    expect(out.drift).toEqual([]);
    expect(out.report).toMatch(/```mermaid/);
    expect(out.report).toMatch(/\| legacy \| yes \|/);
  });

  it("the exported state holds the private key only encrypted", async () => {
    const exported = (await stack!.runOk(["stack", "export"])).stdout;
    const keyBody = read(path.join(stateDir, "pki", "leaf.key")).split("\n")[1];
    expect(keyBody.length).toBeGreaterThan(20);
    expect(exported).not.toContain(keyBody);
    expect(exported).not.toMatch(/PRIVATE KEY/);
    expect(exported).toMatch(/"ciphertext"/);
  });

  it("a plain preview is quiet while nothing changed", async () => {
    const r = timed("preview", await stack!.run(["preview", "--expect-no-changes"]));
    expect(r.code, described(r)).toBe(0);
    // Not even an output changes (the explanation names its validity time, which must stay put).
    expect(r.stdout).not.toMatch(/Outputs:/);
  });

  it("drift: the leaf alone served again is shown in words by preview, fails --expect-no-changes and refresh --preview-only", async () => {
    const server = running!.servers[0];
    fs.writeFileSync(path.join(server.dir, "fullchain.pem"), read(path.join(stateDir, "pki", "leaf.pem")));
    process.kill(server.pid, "SIGHUP");
    await waitUntilSteady(async () => (await probe({ host: "127.0.0.1", port: server.port })).certificates.length === 1);

    const r = timed("preview(drift)", await stack!.run(["preview"]));
    expect(r.code, described(r)).toBe(0);
    const text = r.stdout + r.stderr;
    expect(text).toMatch(/fullchain\.pem changed on the host: it now holds the leaf only/);
    const pki = (file: string) => path.join(stateDir, "pki", file);
    expect(text).toContain(`127.0.0.1:${server.port}: ${servedDifference([pki("leaf.pem"), pki("intermediate.pem"), pki("root-r46-by-legacy.pem")], [pki("leaf.pem")])}`);
    expect(text).toMatch(/client profile "legacy" does not trust the served chain/);
    expect(text).toMatch(/local-demo-verify\s+update/);

    await expectPipelinesToFailOnDrift(stack!, timed);
  });

  it("pulumi up repairs the drift and the verification passes again", async () => {
    const r = timed("up(repair)", await stack!.run(["up", "--yes", "--skip-preview"]));
    expect(r.code, described(r)).toBe(0);
    expect(await servedLabels()).toEqual([3, 3]);
    expect((await site.verdicts(stateDir, running!.servers)).join("\n")).not.toMatch(/FAIL/);
    const quiet = await stack!.run(["preview", "--expect-no-changes"]);
    expect(quiet.code, described(quiet)).toBe(0);
  });

  it("renewal: a new leaf is rolled out to the canary, verified, then to the rest", async () => {
    makeLeaf(path.join(stateDir, "pki"), "leaf-2");
    await stack!.setConfig("leaf", "leaf-2");
    const r = timed("up(renewal)", await stack!.run(["up", "--yes", "--skip-preview"]));
    expect(r.code, described(r)).toBe(0);
    const at = (pattern: RegExp) => r.stdout.search(pattern);
    expect(at(/local-demo-verify-canary\s+updat/)).toBeGreaterThan(at(/local-demo-server-1\s+updat/));
    expect(at(/local-demo-server-2\s+updat/)).toBeGreaterThan(at(/local-demo-verify-canary\s+updated/));
    const leaf2 = read(path.join(stateDir, "pki", "leaf-2.pem"));
    for (const server of running!.servers) expect(read(path.join(server.dir, "fullchain.pem")).startsWith(leaf2)).toBe(true);
  });

  it("pulumi destroy puts back the files the servers had before (onDelete restore) and reloads them", async () => {
    const r = timed("destroy", await stack!.run(["destroy", "--yes", "--skip-preview"]));
    expect(r.code, described(r)).toBe(0);
    const verdicts = (await site.verdicts(stateDir, running!.servers)).join("\n");
    expect(verdicts.match(/legacy\s+FAIL/g)).toHaveLength(2);
    for (const server of running!.servers) expect(fs.existsSync(path.join(server.dir, "fullchain.pem.chainsmith.bak"))).toBe(false);
  });
});
