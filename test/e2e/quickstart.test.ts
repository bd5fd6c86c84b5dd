// The README's quick start as a user lives it, on the real engine against a real sshd and
// nginx: chainsmith installed from its npm tarball into an empty folder, the plugin loaded the
// documented way (the README's Pulumi.yaml), a certificate and a host that are Outputs of
// another resource (unknown at the first preview). Then the paths pipelines take: the stack
// run from another checkout (the first one deleted), drift shown per property by
// `preview --diff` and `--json`, target renames with and without an alias and a new SSH user
// (the host serves the desired chain at every step), and destroy from the other checkout.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { described, runOk } from "../../harness/run";
import { servedDifference } from "../support/served-difference";
import { readmeBlock } from "../support/readme";
import { createStack, repoRoot, type PulumiResult, type PulumiStack } from "../../harness/pulumi";
import { PLAIN_ROOT_USER, type Sshd } from "../../harness/sshd";
import type { WebServer } from "../../harness/webservers";
import type { DemoPki } from "../../examples/local-demo/demo-pki";
import { startShortChainNginx, type ShortChainNginx } from "../support/short-chain-nginx";
import { waitUntilSteady } from "../../harness/eventually";
import { probe } from "../../probe/probe";

const read = (file: string) => fs.readFileSync(file, "utf8");


describe("the README's quick start from the npm tarball, and the paths pipelines take", () => {
  let site: ShortChainNginx;
  let sshd: Sshd;
  let nginx: WebServer;
  let stack: PulumiStack;
  let dir: string;
  let pki: DemoPki;
  const checkoutA = () => path.join(dir, "checkout-a");
  const checkoutB = () => path.join(dir, "checkout-b");
  const tlsDir = () => path.join(dir, "tls");
  const desired = () => [pki.leaf.cert, pki.intermediate, pki.crossSign].map((f) => read(f));
  const served = async () => (await probe({ host: "127.0.0.1", port: nginx.port })).certificates.map((c) => c.pem);
  const servesDesired = async () => (await served()).join("") === desired().join("");
  const up = async (label: string) => {
    const r = await stack.run(["up", "--yes", "--skip-preview"]);
    expect(r.code, `${label}: ${described(r)}`).toBe(0);
    return r;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-quickstart-"));
    site = await startShortChainNginx(dir);
    ({ pki, sshd, nginx } = site);

    // An empty folder, chainsmith from its tarball (dist/ is built by the set-up), the SDK beside it.
    const tarball = (await runOk("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], { cwd: repoRoot })).stdout.trim().split("\n").pop()!;
    fs.mkdirSync(checkoutA());
    const dependencies = { chainsmith: `file:${path.join(dir, tarball)}`, "@pulumi/pulumi": require("@pulumi/pulumi/package.json").version };
    fs.writeFileSync(path.join(checkoutA(), "package.json"), JSON.stringify({ name: "quickstart", private: true, dependencies }));
    await runOk("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: checkoutA() });
    fs.writeFileSync(path.join(checkoutA(), "Pulumi.yaml"), readmeBlock("yaml"));
    fs.copyFileSync(path.join(__dirname, "programs", "quickstart", "index.ts"), path.join(checkoutA(), "index.ts"));

    stack = await createStack(checkoutA(), {
      transpileOnly: true,
      linkCheckout: false,
      config: {
        certificateFile: pki.leaf.cert,
        host: sshd.host,
        poolFile: path.join(dir, "pool.pem"),
        clientProfiles: JSON.stringify([`legacy=${pki.legacyRoot}`, `modern=${pki.newRoot}`]),
        targetName: "web1",
        sshPort: String(sshd.port),
        user: "root",
        hostKeyFingerprint: sshd.hostKeyFingerprint,
        directory: tlsDir(),
        reloadCommand: nginx.reloadCommand,
        configTestCommand: nginx.configTestCommand,
        port: String(nginx.port),
      },
      secrets: { sshPrivateKey: sshd.clientKey, privateKey: read(pki.leaf.key) },
    });
  }, 300_000);

  afterAll(async () => {
    await stack?.dispose();
    await site?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the tarball carries the plugin and the compiled library, not the tests", async () => {
    const files = fs.readdirSync(path.join(checkoutA(), "node_modules", "chainsmith"), { recursive: true }).map(String);
    expect(files).toContain(path.join("bin", "pulumi-resource-chainsmith"));
    expect(files).toContain(path.join("dist", "providers", "plugin", "main.js"));
    expect(files.filter((f) => /(^|\/)test\/|\.test\.|^bench\//.test(f))).toEqual([]);
    expect(fs.existsSync(path.join(checkoutA(), "node_modules", "@pulumi", "azure-native"))).toBe(false);
  });

  it("preview succeeds while the certificate and the host are not known yet; up deploys and verifies", async () => {
    const preview = await stack.run(["preview"]);
    expect(preview.code, described(preview)).toBe(0);
    expect(preview.stdout).toMatch(/\+\s+chainsmith:linux:TlsFiles\s+www-web1\s+create/);
    expect(preview.stdout).toMatch(/\+\s+chainsmith:index:ServedChainCheck\s+www-verify\s+create/);
    // Not judged yet, but said: what the update will deploy and prove.
    expect(preview.stdout).toMatch(/its chain is chosen once that value is known\. The update deploys it to web1 and verifies from the wire that an endpoint known after other resources are deployed serve it/);
    await up("up");
    expect(await servesDesired()).toBe(true);
    const exported = (await stack.runOk(["stack", "export"])).stdout;
    expect(JSON.parse(exported).deployment.resources.map((r: { type: string }) => r.type)).toEqual(
      expect.arrayContaining(["pulumi:providers:chainsmith", "chainsmith:index:CertificateDeployment", "chainsmith:linux:TlsFiles", "chainsmith:index:ServedChainCheck"]),
    );
    expect(exported).not.toContain(repoRoot);
    expect(exported).not.toContain(checkoutA());
    expect(exported).not.toContain(read(pki.leaf.key).split("\n")[1]);
    expect(exported).not.toContain(sshd.clientKey.split("\n")[1]);
  }, 180_000);

  it("from another checkout (the first one gone): a quiet preview, then refresh", async () => {
    fs.cpSync(checkoutA(), checkoutB(), { recursive: true, verbatimSymlinks: true });
    fs.rmSync(checkoutA(), { recursive: true, force: true });
    await stack.relocate(checkoutB());
    const quiet = await stack.run(["preview", "--expect-no-changes"]);
    expect(quiet.code, described(quiet)).toBe(0);
    const refresh = await stack.run(["refresh", "--yes"]);
    expect(refresh.code, described(refresh)).toBe(0);
  }, 180_000);

  it("drift: each reason once, under its resource; preview --diff marks the drifted property, --json carries detailedDiff", async () => {
    fs.writeFileSync(path.join(tlsDir(), "fullchain.pem"), read(pki.leaf.cert));
    await runOk("sh", ["-c", nginx.reloadCommand]);
    await waitUntilSteady(async () => (await served()).length === 1);

    // A plain preview groups the warnings by resource: the file under the target, the wire under the check.
    const plain = await stack.run(["preview"]);
    expect(plain.code, described(plain)).toBe(0);
    // Sections "  type (name):" in the order the engine met them, each with its warnings.
    const diagnostics = plain.stdout.slice(plain.stdout.indexOf("Diagnostics:"), plain.stdout.indexOf("\nResources:"));
    const section = (header: string) => diagnostics.split(/\n(?=  \S)/).find((block) => block.startsWith(`  ${header}`)) ?? "";
    const underFiles = section("chainsmith:linux:TlsFiles (www-web1):");
    const underCheck = section("chainsmith:index:ServedChainCheck (www-verify):");
    const fileDrift = "fullchain.pem changed on the host: it now holds the leaf only";
    const wireDrift = `127.0.0.1:${nginx.port}: ${servedDifference([pki.leaf.cert, pki.intermediate, pki.crossSign], [pki.leaf.cert])}`;
    expect(underFiles.split(fileDrift), described(plain)).toHaveLength(2);
    expect(underFiles, described(plain)).not.toContain(wireDrift);
    expect(underCheck.split(wireDrift), described(plain)).toHaveLength(2);
    expect(underCheck, described(plain)).not.toContain(fileDrift);

    const text = await stack.run(["preview", "--diff"]);
    expect(text.code, described(text)).toBe(0);
    expect(text.stdout).toMatch(/~ chainsmith:linux:TlsFiles: \(update\)[\s\S]*?~ chain\s*:/);
    expect(text.stdout).toMatch(/~ chainsmith:index:ServedChainCheck: \(update\)[\s\S]*?~ desiredChain\s*:/);

    const json = await stack.run(["preview", "--json"]);
    expect(json.code, described(json)).toBe(0);
    const steps = (JSON.parse(json.stdout) as { steps: { urn: string; op: string; detailedDiff?: Record<string, { kind: string }>; diffReasons?: string[] }[] }).steps;
    const files = steps.find((st) => st.urn.endsWith("chainsmith:linux:TlsFiles::www-web1"))!;
    expect(files.op).toBe("update");
    expect(files.detailedDiff).toEqual({ chain: { kind: "update", inputDiff: true } });
    expect(files.diffReasons).toEqual(["chain"]);
    const check = steps.find((st) => st.urn.endsWith("chainsmith:index:ServedChainCheck::www-verify"))!;
    expect(check.detailedDiff).toMatchObject({ desiredChain: { kind: "update" } });

    await up("up(repair)");
    expect(await servesDesired()).toBe(true);
  }, 180_000);

  it("renaming the target with previousNames touches nothing; without, the new resource takes the files over; a new SSH user too", async () => {
    // With an alias: the same resource, nothing to do.
    await stack.setConfig("targetName", "web-a");
    await stack.setConfig("previousNames", JSON.stringify(["web1"]));
    const aliased = await stack.run(["preview", "--expect-no-changes"]);
    expect(aliased.code, described(aliased)).toBe(0);
    await up("up(alias)");
    expect(await servesDesired()).toBe(true);

    // Without: created anew, then the old one deleted; it must not restore the files it no longer owns.
    await stack.setConfig("targetName", "web-b");
    await stack.run(["config", "rm", "previousNames"]);
    const renamed = await up("up(rename)");
    expect(renamed.stdout).toMatch(/\+\s+chainsmith:linux:TlsFiles\s+www-web-b\s+created/);
    expect(renamed.stdout).toMatch(/-\s+chainsmith:linux:TlsFiles\s+www-web-a\s+deleted/);
    expect(renamed.stdout).toMatch(/left in place: another chainsmith resource deploys it now/);
    expect(read(path.join(tlsDir(), "fullchain.pem"))).toBe(desired().join(""));
    await waitUntilSteady(servesDesired);
    expect(await servesDesired()).toBe(true);

    // Another login user on the same machine: an update in place.
    await stack.setConfig("user", PLAIN_ROOT_USER);
    const user = await up("up(user)");
    expect(user.stdout).not.toMatch(/replaced|deleted/);
    expect(await servesDesired()).toBe(true);
    const quiet = await stack.run(["preview", "--expect-no-changes"]);
    expect(quiet.code, described(quiet)).toBe(0);
  }, 300_000);

  it("destroy from the other checkout puts back the files nginx had", async () => {
    const r = await stack.run(["destroy", "--yes", "--skip-preview"]);
    expect(r.code, described(r)).toBe(0);
    expect(read(path.join(tlsDir(), "fullchain.pem"))).toBe(read(pki.leaf.cert) + read(pki.intermediate));
  });
});
