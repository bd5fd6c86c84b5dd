// examples/nginx-over-ssh on the real Pulumi engine against a real sshd and a real nginx on
// loopback: up and verification, no private key (TLS or SSH) in the exported state, drift
// (the leaf alone served after a reload) shown by preview and failing the pipeline
// commands, repair by up, and destroy restoring the files nginx had.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectPipelinesToFailOnDrift } from "./pipeline-checks";
import { described } from "../../harness/run";
import { createStack, type PulumiResult, type PulumiStack } from "../../harness/pulumi";
import type { Sshd } from "../../harness/sshd";
import type { WebServer } from "../../harness/webservers";

import { servedDifference } from "../support/served-difference";
import type { DemoPki } from "../../examples/local-demo/demo-pki";
import { startShortChainNginx, type ShortChainNginx } from "../support/short-chain-nginx";
import { waitUntilSteady } from "../../harness/eventually";
import { probe } from "../../probe/probe";

const programDir = path.join(__dirname, "..", "..", "examples", "nginx-over-ssh");
const read = (file: string) => fs.readFileSync(file, "utf8");

describe("examples/nginx-over-ssh on the real engine, real sshd and nginx", () => {
  let site: ShortChainNginx | undefined;
  let sshd: Sshd | undefined;
  let nginx: WebServer | undefined;
  let stack: PulumiStack | undefined;
  let dir: string;
  let pki: DemoPki;
  const timings: string[] = [];
  const timed = (label: string, r: PulumiResult) => (timings.push(`${label} ${r.ms} ms`), r);
  const served = async () => ((await stack!.outputs()).servedChains as { chain: string[] }[])[0].chain;
  const tlsDir = () => path.join(dir, "tls");

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-nginx-e2e-"));
    // nginx starts with the short chain (no cross-sign): legacy clients fail.
    site = await startShortChainNginx(dir);
    ({ pki, sshd, nginx } = site);
    stack = await createStack(programDir, {
      transpileOnly: true,
      config: {
        host: sshd.host,
        sshPort: String(sshd.port),
        user: "root",
        hostKeyFingerprint: sshd.hostKeyFingerprint,
        certificateFile: pki.leaf.cert,
        poolFile: path.join(dir, "pool.pem"),
        directory: tlsDir(),
        reloadCommand: nginx.reloadCommand,
        configTestCommand: nginx.configTestCommand,
        endpoint: `127.0.0.1:${nginx.port}`,
        clientProfiles: JSON.stringify([`legacy=${pki.legacyRoot}`, `modern=${pki.newRoot}`]),
      },
      secrets: { sshPrivateKey: sshd.clientKey, privateKey: read(pki.leaf.key) },
    });
  });

  afterAll(async () => {
    await stack?.dispose();
    await site?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    if (timings.length) console.log(`nginx-over-ssh pulumi timings: ${timings.join(", ")}`);
  });

  it("pulumi up deploys the widest chain over SSH; nginx serves it and both clients trust it", async () => {
    const r = timed("up", await stack!.run(["up", "--yes", "--skip-preview"]));
    expect(r.code, described(r)).toBe(0);
    expect(await served()).toHaveLength(3);
    const out = await stack!.outputs();
    expect(out.compatibility).toEqual([
      expect.objectContaining({ profile: "legacy", trusted: true }),
      expect.objectContaining({ profile: "modern", trusted: true }),
    ]);
    expect((out.targetStatus as { target: string }[])[0].target).toBe(`root@127.0.0.1:${sshd!.port}`);
    // openssl, a client with only the old root, accepts what nginx serves now.
    const verify = execFileSync("sh", ["-c", `openssl s_client -connect 127.0.0.1:${nginx!.port} -CAfile ${pki.legacyRoot} -verify_return_error </dev/null 2>&1 || true`]).toString();
    expect(verify).toMatch(/Verify return code: 0 \(ok\)/);
  });

  it("the exported state holds neither the TLS key nor the SSH key in plain text", async () => {
    const exported = (await stack!.runOk(["stack", "export"])).stdout;
    expect(exported).not.toContain(read(pki.leaf.key).split("\n")[1]);
    expect(exported).not.toContain(sshd!.clientKey.split("\n")[1]);
    expect(exported).not.toMatch(/PRIVATE KEY/);
  });

  it("drift: the leaf alone served after a reload is shown by preview and fails --expect-no-changes and refresh --preview-only", async () => {
    fs.writeFileSync(path.join(tlsDir(), "fullchain.pem"), read(pki.leaf.cert));
    execFileSync("sh", ["-c", nginx!.reloadCommand]);
    await waitUntilSteady(async () => (await probe({ host: "127.0.0.1", port: nginx!.port })).certificates.length === 1);

    const r = timed("preview(drift)", await stack!.run(["preview"]));
    expect(r.code, described(r)).toBe(0);
    const text = r.stdout + r.stderr;
    expect(text).toMatch(/fullchain\.pem changed on the host: it now holds the leaf only/);
    expect(text).toContain(`127.0.0.1:${nginx!.port}: ${servedDifference([pki.leaf.cert, pki.intermediate, pki.crossSign], [pki.leaf.cert])}`);
    expect(text).toMatch(/~ 2 to update/);

    await expectPipelinesToFailOnDrift(stack!, timed);
  });

  it("pulumi up repairs it over SSH and the verification passes again", async () => {
    const r = timed("up(repair)", await stack!.run(["up", "--yes", "--skip-preview"]));
    expect(r.code, described(r)).toBe(0);
    expect(await served()).toHaveLength(3);
    const quiet = timed("preview", await stack!.run(["preview", "--expect-no-changes"]));
    expect(quiet.code, described(quiet)).toBe(0);
  });

  it("pulumi destroy puts back the files nginx had before and reloads it", async () => {
    const r = timed("destroy", await stack!.run(["destroy", "--yes", "--skip-preview"]));
    expect(r.code, described(r)).toBe(0);
    expect(read(path.join(tlsDir(), "fullchain.pem"))).toBe(read(pki.leaf.cert) + read(pki.intermediate));
  });
});
