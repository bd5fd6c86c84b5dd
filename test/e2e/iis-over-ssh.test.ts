// examples/iis-over-ssh on the real Pulumi engine against the simulated Windows host (the
// agent answered over a real SSH server on loopback, IIS served by a loopback TLS endpoint
// from the host's stores): up makes Windows build the cross-signed chain, Windows Update
// bringing the self-signed root back is drift on preview and refresh, up repairs it, and
// destroy leaves the host as deployed (documented for IIS targets).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../probe/probe";
import { Pki, pemOf } from "../../harness/pki";
import { sectigo } from "../../harness/scenarios";
import { servedDifference } from "../support/served-difference";
import { expectPipelinesToFailOnDrift } from "./pipeline-checks";
import { described } from "../../harness/run";
import { createStack, type PulumiResult, type PulumiStack } from "../../harness/pulumi";
import { Sectigo, desiredRsa, sectigoSiteHost } from "../support/simulated-windows-host/field-hosts";
import { SimulatedHostSession, openSimulatedHost } from "../support/simulated-windows-host/simulated-host-session";

const programDir = path.join(__dirname, "..", "..", "examples", "iis-over-ssh");

describe("examples/iis-over-ssh on the real engine, simulated Windows host over SSH", () => {
  let s: Sectigo;
  let session: SimulatedHostSession | undefined;
  let stack: PulumiStack | undefined;
  let dir: string;
  const timings: string[] = [];
  const timed = (label: string, r: PulumiResult) => (timings.push(`${label} ${r.ms} ms`), r);
  const served = async () => (await probe({ host: "127.0.0.1", port: session!.iis.port, servername: "example.test" })).certificates.map((c) => c.sha256);
  const desired = () => desiredRsa(s).map((c) => c.sha256);

  beforeAll(async () => {
    // Certificates valid now: the component chooses the chain at the time it runs.
    s = await sectigo(new Pki());
    const host = await sectigoSiteHost(s);
    session = await openSimulatedHost(host);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-iis-e2e-"));
    const file = (name: string, content: string) => (fs.writeFileSync(path.join(dir, name), content), path.join(dir, name));
    stack = await createStack(programDir, {
      transpileOnly: true,
      config: {
        host: "127.0.0.1",
        sshPort: String(session.ssh.port),
        user: session.ssh.user,
        hostKeyFingerprint: session.ssh.hostKeyFingerprint,
        certificateFile: file("cert.pem", s.leaf.pem),
        poolFile: file("pool.pem", pemOf(...s.rsaPool)),
        hostName: "example.test",
        endpoint: `127.0.0.1:${session.iis.port}`,
        clientProfiles: JSON.stringify([`legacy=${file("usertrust.pem", s.usertrustRsa.pem)}`, `modern=${file("r46.pem", s.r46.pem)}`]),
      },
      secrets: { sshPrivateKey: session.ssh.clientKey, privateKey: s.leaf.keyPem },
    });
  });

  afterAll(async () => {
    await stack?.dispose();
    await session?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (timings.length) console.log(`iis-over-ssh pulumi timings: ${timings.join(", ")}`);
  });

  it("pulumi up makes IIS serve the cross-signed chain, verified from the wire for both clients", async () => {
    expect(await served()).toHaveLength(2);
    const r = timed("up", await stack!.run(["up", "--yes", "--skip-preview"]));
    expect(r.code, described(r)).toBe(0);
    expect(await served()).toEqual(desired());
    const out = await stack!.outputs();
    expect((out.compatibility as { trusted: boolean }[]).map((c) => c.trusted)).toEqual([true, true]);
    expect(session!.host.has("Disallowed", s.r46.cert)).toBe(true);
    const exported = (await stack!.runOk(["stack", "export"])).stdout;
    expect(exported).not.toContain(s.leaf.keyPem.split("\n")[1]);
    expect(exported).not.toMatch(/PRIVATE KEY/);
  });

  it("drift: the self-signed root back in Root is shown by preview and fails --expect-no-changes and refresh --preview-only", async () => {
    session!.host.undoDistrust(s.r46.cert);
    expect(await served()).toHaveLength(2);
    const r = timed("preview(drift)", await stack!.run(["preview"]));
    expect(r.code, described(r)).toBe(0);
    const text = r.stdout + r.stderr;
    expect(text).toMatch(/self-signed Sectigo Public Server Authentication Root R46 is back in Root: Windows builds the short chain/);
    expect(text).toContain(servedDifference(desiredRsa(s), desiredRsa(s).slice(0, 2)));
    expect(text).toMatch(/client profile "legacy" does not trust the served chain/);

    await expectPipelinesToFailOnDrift(stack!, timed);
  });

  it("pulumi up repairs it: the root goes back to Disallowed and IIS serves the cross-signed chain again", async () => {
    const r = timed("up(repair)", await stack!.run(["up", "--yes", "--skip-preview"]));
    expect(r.code, described(r)).toBe(0);
    expect(await served()).toEqual(desired());
    const quiet = await stack!.run(["preview", "--expect-no-changes"]);
    expect(quiet.code, described(quiet)).toBe(0);
  });

  it("keeps the TLS and SSH private keys out of the state", async () => {
    const exported = (await stack!.runOk(["stack", "export"])).stdout;
    expect(exported).not.toContain(s.leaf.keyPem.split("\n")[1]);
    expect(exported).not.toContain(session!.ssh.clientKey.split("\n")[1]);
    expect(exported).not.toContain("PRIVATE KEY");
  });

  it("pulumi destroy leaves the Windows host as deployed", async () => {
    const r = timed("destroy", await stack!.run(["destroy", "--yes", "--skip-preview"]));
    expect(r.code, described(r)).toBe(0);
    expect(await served()).toEqual(desired());
    expect(session!.host.has("Disallowed", s.r46.cert)).toBe(true);
  });
});
