// The IIS provider on the real Pulumi engine (CLI from .tools/pulumi) against the simulated
// Windows host over SSH: up makes IIS serve the cross-signed chain; Windows Update brings the
// self-signed R46 back; a plain preview says so in words and --expect-no-changes fails the
// pipeline; up repairs it; the exported state holds no private key.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../../probe/probe";
import { Pki, pemOf } from "../../fixtures/pki";
import { sectigo } from "../../fixtures/scenarios";
import { createStack, type PulumiResult, type PulumiStack } from "../../support/pulumi";
import { Sectigo, desiredRsa, sectigoSiteHost } from "../../support/simulated-windows-host/field-hosts";
import { SimulatedHostSession, openSimulatedHost } from "../../support/simulated-windows-host/simulated-host-session";
import { bundledStoreFile, findBundledStore } from "../../../chain/bundled-stores";

const programDir = path.join(__dirname, "programs", "iis-over-ssh");
// The Microsoft root program, as bundled with chainsmith (chain/trust-stores/).
const MICROSOFT_PROGRAM = bundledStoreFile(findBundledStore("windows")!);
const output = (r: PulumiResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

let s: Sectigo;
let session: SimulatedHostSession;
let stack: PulumiStack;
let dir: string;
const timings: string[] = [];
const timed = (label: string, r: PulumiResult) => (timings.push(`${label} ${r.ms} ms`), r);
const served = async () => (await probe({ host: "127.0.0.1", port: session.iis.port, servername: "example.test" })).certificates.map((c) => c.sha256);

beforeAll(async () => {
  // Made around now: the provider refuses an expired leaf.
  s = await sectigo(new Pki());
  const host = await sectigoSiteHost(s);
  session = await openSimulatedHost(host);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-iis-e2e-"));
  fs.writeFileSync(path.join(dir, "chain.pem"), pemOf(s.leaf, s.r36, s.r46ByUsertrust));
  fs.writeFileSync(path.join(dir, "known.pem"), s.r46.pem);
  stack = await createStack(programDir, {
    transpileOnly: true,
    config: {
      host: "127.0.0.1",
      sshPort: String(session.ssh.port),
      user: session.ssh.user,
      hostKeyFingerprint: session.ssh.hostKeyFingerprint,
      chainFile: path.join(dir, "chain.pem"),
      knownCertificatesFile: path.join(dir, "known.pem"),
      programRootsFile: MICROSOFT_PROGRAM,
      site: "Default Web Site",
      port: "443",
      hostName: "example.test",
      endpointPort: String(session.iis.port),
      at: s.at.toISOString(),
    },
    secrets: { sshPrivateKey: session.ssh.clientKey, privateKey: s.leaf.keyPem },
  });
}, 120_000);

afterAll(async () => {
  await stack?.dispose();
  await session?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (timings.length) console.log(`iis-over-ssh pulumi timings: ${timings.join(", ")}`);
}, 120_000);

describe("IisCertificate on the real Pulumi engine, simulated Windows host", () => {
  it("pulumi up makes IIS serve the cross-signed chain", async () => {
    const r = timed("up", await stack.run(["up", "--yes", "--skip-preview"]));
    expect(r.code, output(r)).toBe(0);
    const out = await stack.outputs();
    expect((out.servedChain as { sha256: string }[]).map((c) => c.sha256)).toEqual(desiredRsa(s).map((c) => c.sha256));
    expect(out.preview).toMatch(/^IIS serves now: .*from Root\); after apply: .*anchor USERTrust RSA Certification Authority/);
    expect(await served()).toEqual(desiredRsa(s).map((c) => c.sha256));
    const quiet = timed("preview (no drift)", await stack.run(["preview", "--expect-no-changes"]));
    expect(quiet.code, output(quiet)).toBe(0);
  }, 180_000);

  it("a plain preview shows Windows Update's comeback of R46 in words, the pipeline check fails, and up repairs it", async () => {
    session.host.restoreRoot(s.r46.cert);
    expect(await served()).toHaveLength(2);
    const preview = timed("preview (drift)", await stack.run(["preview", "--diff"]));
    expect(preview.code, output(preview)).toBe(0);
    const text = preview.stdout + preview.stderr;
    expect(text).toContain("self-signed Sectigo Public Server Authentication Root R46 is back in Root: Windows builds the short chain");
    expect(text).toMatch(/IIS serves now: .*\(anchor Sectigo Public Server Authentication Root R46 \[\w+\] from Root\); after apply: /);
    const gate = timed("preview --expect-no-changes (drift)", await stack.run(["preview", "--expect-no-changes"]));
    expect(gate.code, output(gate)).not.toBe(0);

    const up = timed("up (repair)", await stack.run(["up", "--yes", "--skip-preview"]));
    expect(up.code, output(up)).toBe(0);
    expect(await served()).toEqual(desiredRsa(s).map((c) => c.sha256));
    expect(session.host.has("Disallowed", s.r46.cert)).toBe(true);
    const after = timed("preview --expect-no-changes (repaired)", await stack.run(["preview", "--expect-no-changes"]));
    expect(after.code, output(after)).toBe(0);
  }, 240_000);

  it("keeps the TLS and SSH private keys out of the state", async () => {
    const exported = (await stack.runOk(["stack", "export"])).stdout;
    const keyLine = s.leaf.keyPem.split("\n")[1];
    const sshKeyLine = session.ssh.clientKey.split("\n")[1];
    expect(exported).not.toContain(keyLine);
    expect(exported).not.toContain(sshKeyLine);
    expect(exported).not.toContain("PRIVATE KEY");
  }, 60_000);
});
