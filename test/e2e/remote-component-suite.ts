// The path every remote CertificateDeployment program takes on the real engine, whatever its
// language: the same as the in-process component's (test/e2e/local-demo.test.ts). up deploys
// the cross-signed chain to examples/local-demo's server and verifies it; the children are the
// provider's own resources under the component; a quiet preview; drift (the leaf alone served
// again) shown in words by preview and failing the pipeline commands; repair by up; destroy
// restoring the server's files. The programs export the component's outputs by their names.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedDifference } from "../support/served-difference";
import { expectPipelinesToFailOnDrift } from "./pipeline-checks";
import { described } from "../../harness/run";
import { createStack, type PulumiResult, type PulumiStack, type StackOptions } from "../../harness/pulumi";
import * as site from "../../examples/local-demo/demo-site";
import { waitUntilSteady } from "../../harness/eventually";
import { probe } from "../../probe/probe";

const RELOAD_TOKEN = "reload-token-5f3a9c2e71";

export interface RemoteProgram {
  title: string;
  programDir: string;
  /** The served-chain check's name (it follows the program's rollout). */
  checkName: string;
  /** The stack's options beside the config every program takes (stateDir, port, privateKey). */
  stackOptions(stateDir: string): Promise<StackOptions>;
}

const read = (file: string) => fs.readFileSync(file, "utf8");
// Each step runs up to four Pulumi commands; generous, for a machine whose 2 cores are busy.
const STEP_TIMEOUT_MS = 300_000;

export function describeRemoteComponent(program: RemoteProgram): void {
  describe(program.title, () => {
    let stack: PulumiStack | undefined;
    let stateDir: string;
    let running: site.DemoSite | undefined;
    const timings: string[] = [];
    const timed = (label: string, r: PulumiResult) => (timings.push(`${label} ${r.ms} ms`), r);
    const pki = (file: string) => path.join(stateDir, "pki", file);
    const server = () => running!.servers[0];
    const servedLengths = async () => ((await stack!.outputs()).servedChains as { chain: unknown[] }[]).map((e) => e.chain.length);

    beforeAll(async () => {
      stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-remote-"));
      const [options, started] = await Promise.all([program.stackOptions(stateDir), site.startSite(stateDir, 1)]);
      running = started;
      stack = await createStack(program.programDir, {
        ...options,
        config: { stateDir, port: String(server().port), ...options.config },
        secrets: { privateKey: read(pki("leaf.key")), reloadToken: RELOAD_TOKEN },
        transpileOnly: true,
        linkCheckout: false,
      });
    }, 300_000);

    afterAll(async () => {
      await stack?.dispose();
      running?.stop();
      if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
      if (timings.length) console.log(`${program.title}: pulumi timings: ${timings.join(", ")}`);
    }, 300_000);

    it("up deploys the cross-signed chain through the remote component; its children are the provider's resources", async () => {
      expect((await site.verdicts(stateDir, running!.servers)).join("\n")).toMatch(/legacy\s+FAIL/);
      const r = timed("up", await stack!.run(["up", "--yes", "--skip-preview"]));
      expect(r.code, described(r)).toBe(0);
      expect((await site.verdicts(stateDir, running!.servers)).join("\n")).not.toMatch(/FAIL/);
      const out = await stack!.outputs();
      expect(out.chainPem).toBe([pki("leaf.pem"), pki("intermediate.pem"), pki("root-r46-by-legacy.pem")].map(read).join(""));
      expect(await servedLengths()).toEqual([3]);
      expect((out.compatibility as { profile: string; trusted: boolean }[]).map((c) => `${c.profile}:${c.trusted}`).sort()).toEqual(["legacy:true", "modern:true"]);
      expect(out.targetStatus).toEqual([expect.objectContaining({ name: "server-1", kind: "local", target: "local", drift: [] })]);
      expect(out.drift).toEqual([]);

      const exported = (await stack!.runOk(["stack", "export"])).stdout;
      const resources = JSON.parse(exported).deployment.resources as { type: string; urn: string; parent?: string }[];
      const component = resources.find((x) => x.type === "chainsmith:index:CertificateDeployment");
      expect(component, exported).toBeDefined();
      expect(resources.filter((x) => x.parent === component!.urn).map((x) => x.type).sort()).toEqual(["chainsmith:index:ServedChainCheck", "chainsmith:linux:TlsFiles"]);
      expect(resources.map((x) => x.type)).not.toContain("pulumi-nodejs:dynamic:Resource");
      // The key reaches the target only as a secret: never in clear in the state.
      expect(exported).not.toContain(read(pki("leaf.key")).split("\n")[1]);
      expect(exported).not.toMatch(/PRIVATE KEY/);
      // A secret inside a command stays secret in what the resource records of it (its outputs too).
      expect(exported).not.toContain(RELOAD_TOKEN);
    }, STEP_TIMEOUT_MS);

    it("a plain preview is quiet while nothing changed", async () => {
      const r = timed("preview", await stack!.run(["preview", "--expect-no-changes"]));
      expect(r.code, described(r)).toBe(0);
      expect(r.stdout).not.toMatch(/Outputs:/);
    }, STEP_TIMEOUT_MS);

    it("drift: the leaf alone served again is shown in words by preview and fails the pipeline commands", async () => {
      fs.writeFileSync(path.join(server().dir, "fullchain.pem"), read(pki("leaf.pem")));
      process.kill(server().pid, "SIGHUP");
      await waitUntilSteady(async () => (await probe({ host: "127.0.0.1", port: server().port })).certificates.length === 1);

      const r = timed("preview(drift)", await stack!.run(["preview"]));
      expect(r.code, described(r)).toBe(0);
      const text = r.stdout + r.stderr;
      expect(text).toMatch(/fullchain\.pem changed on the host: it now holds the leaf only/);
      expect(text).toContain(`127.0.0.1:${server().port}: ${servedDifference([pki("leaf.pem"), pki("intermediate.pem"), pki("root-r46-by-legacy.pem")], [pki("leaf.pem")])}`);
      expect(text).toMatch(/client profile "legacy" does not trust the served chain/);
      expect(text).toMatch(new RegExp(`${program.checkName}\\s+update`));
      await expectPipelinesToFailOnDrift(stack!, timed);
    }, STEP_TIMEOUT_MS);

    it("up repairs the drift, and the next preview is quiet", async () => {
      const r = timed("up(repair)", await stack!.run(["up", "--yes", "--skip-preview"]));
      expect(r.code, described(r)).toBe(0);
      expect((await site.verdicts(stateDir, running!.servers)).join("\n")).not.toMatch(/FAIL/);
      expect(await servedLengths()).toEqual([3]);
      const quiet = await stack!.run(["preview", "--expect-no-changes"]);
      expect(quiet.code, described(quiet)).toBe(0);
    }, STEP_TIMEOUT_MS);

    it("destroy puts back the files the server had before (onDelete restore)", async () => {
      const r = timed("destroy", await stack!.run(["destroy", "--yes", "--skip-preview"]));
      expect(r.code, described(r)).toBe(0);
      expect((await site.verdicts(stateDir, running!.servers)).join("\n")).toMatch(/legacy\s+FAIL/);
    }, STEP_TIMEOUT_MS);
  });
}
