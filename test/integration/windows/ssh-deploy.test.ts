import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Certificate } from "../../../chain/certificate";
import { AgentRequest } from "../../../providers/windows/contract";
import { SshAgentTransport } from "../../../providers/windows/ssh-transport";
import { deployWindowsTarget, previewWindowsTarget, WindowsTargetSpec } from "../../../providers/windows/windows-target";
import { probe } from "../../../probe/probe";
import { letsEncrypt, sectigo } from "../../../harness/scenarios";
import { Sectigo, bindLeaf, desiredEcc, desiredRsa, letsEncryptX3Host, sectigoHost, sectigoSiteHost } from "../../support/simulated-windows-host/field-hosts";
import { SimulatedHostSession, openSimulatedHost } from "../../support/simulated-windows-host/simulated-host-session";

const site = "Default Web Site";
const ids = (certs: readonly Certificate[]) => certs.map((c) => c.sha256);
let s: Sectigo;
let session: SimulatedHostSession | undefined;

beforeAll(async () => {
  s = await sectigo();
});
afterEach(async () => {
  await session?.close();
  session = undefined;
});

function rsaSpec(session: SimulatedHostSession, overrides: Partial<WindowsTargetSpec> = {}): WindowsTargetSpec {
  return {
    desiredChain: desiredRsa(s),
    key: s.leaf.key.privateKey,
    binding: { site, port: 443, host: "example.test" },
    knownCertificates: [s.r46.cert],
    endpoint: { host: "127.0.0.1", port: session.iis.port, servername: "example.test" },
    at: s.at,
    ...overrides,
  };
}

const served = async (session: SimulatedHostSession, servername?: string) => ids((await probe({ host: "127.0.0.1", port: session.iis.port, servername })).certificates);

describe("Windows IIS over SSH, against the simulated host", () => {
  it("self-signed R46 in Root: preview says so, apply makes IIS serve the cross-signed chain, proven from the wire", async () => {
    const host = await sectigoSiteHost(s);
    session = await openSimulatedHost(host);
    expect(await served(session, "example.test")).toHaveLength(2); // old leaf + R36: the short chain

    const preview = await previewWindowsTarget(session.transport, rsaSpec(session));
    expect(preview.text).toMatch(/^IIS serves now: example\.test \[\w+\] > Sectigo Public Server Authentication CA DV R36 \[\w+\] \(anchor Sectigo Public Server Authentication Root R46 \[\w+\] from Root\); after apply: .* > Sectigo Public Server Authentication Root R46 \[\w+\] \(anchor USERTrust RSA Certification Authority/);

    const report = await deployWindowsTarget(session.transport, rsaSpec(session));
    expect(report.rungs.map((r) => [r.rung, r.matches])).toEqual([["as applied", true]]);
    expect(await served(session, "example.test")).toEqual(ids(desiredRsa(s)));
    expect(host.has("Disallowed", s.r46.cert)).toBe(true);
    expect(host.has("Root", s.r46.cert)).toBe(false);
    expect(host.has("CA", s.r46ByUsertrust.cert)).toBe(true);
    expect(report.done).toContain(`moved ${s.r46.cert.sha1} from Root to Disallowed`);
  });

  it("climbs the ladder when http.sys keeps a stale chain, recording each rung; iisreset (allowed) does not help, the HTTP service restart does", async () => {
    const host = sectigoHost(s, { servedChainStaleUntil: "httpRestart" });
    host.addCertificate("CA", s.r46ByUsertrust.cert);
    bindLeaf(host, s.leaf, { host: "example.test" });
    session = await openSimulatedHost(host);
    const report = await deployWindowsTarget(session.transport, rsaSpec(session, { allowIisreset: true, allowHttpServiceRestart: true }));
    expect(report.rungs.map((r) => [r.rung, r.matches])).toEqual([
      ["as applied", false],
      ["flush chain caches", false],
      ["recreate binding", false],
      ["iisreset", false],
      ["restart HTTP service", true],
    ]);
    expect(report.rungs[0].windowsBuilds).toHaveLength(4); // Windows already builds the long chain; http.sys lags
    expect(host.applied).toEqual(["moveToDisallowed", "flushChainCaches", "replaceBinding", "iisreset", "restartHttpService"]);
  });

  it("restarts nothing unless allowed, and fails with the cause and what to try next when no rung helps", async () => {
    const host = sectigoHost(s, { servedChainStaleUntil: "never" });
    host.addCertificate("CA", s.r46ByUsertrust.cert);
    bindLeaf(host, s.leaf, { host: "example.test" });
    session = await openSimulatedHost(host);
    await expect(deployWindowsTarget(session.transport, rsaSpec(session))).rejects.toThrow(
      expect.objectContaining({
        code: "served-chain-mismatch",
        message: expect.stringMatching(/after as applied, flush chain caches, recreate binding, IIS serves .* Windows itself \(machine context\) builds the desired chain, but http\.sys still serves another one.*allow the HTTP service restart/),
      }),
    );
    expect(host.applied).not.toContain("iisreset");
    expect(host.applied).not.toContain("restartHttpService");
  });

  it("IIS also sends the root: the served chain still matches, and the rung says the root was sent", async () => {
    const host = await sectigoSiteHost(s);
    host.sendsRoot = true;
    session = await openSimulatedHost(host);
    const report = await deployWindowsTarget(session.transport, rsaSpec(session));
    expect(report.rungs).toEqual([expect.objectContaining({ rung: "as applied", matches: true, sentRoot: s.usertrustRsa.cert.label })]);
    expect(await served(session, "example.test")).toEqual(ids([...desiredRsa(s), s.usertrustRsa.cert]));
  });

  it("the binding is updated in place: http.sys-only settings (client certificate negotiation, ...) survive", async () => {
    const host = sectigoHost(s);
    const oldLeaf = await s.pki.leaf("example.test", s.r36);
    host.addCertificate("My", oldLeaf.cert, oldLeaf.key.privateKey);
    host.addBinding({ site, ip: "*", port: 443, host: "example.test", sslFlags: 1, certificateHash: oldLeaf.cert.sha1, certificateStore: "My" }, { clientcertnegotiation: "enable", sslctlstorename: "ClientAuthIssuer" });
    session = await openSimulatedHost(host);
    await deployWindowsTarget(session.transport, rsaSpec(session));
    expect(host.httpSys).toEqual([expect.objectContaining({ kind: "hostnameport", endpoint: "example.test:443", certificateHash: s.leaf.cert.sha1, settings: { clientcertnegotiation: "enable", sslctlstorename: "ClientAuthIssuer" } })]);
  });

  it("serves an RSA and an ECC certificate on one host by SNI, each handled independently", async () => {
    const host = sectigoHost(s);
    session = await openSimulatedHost(host);
    await deployWindowsTarget(session.transport, rsaSpec(session));
    const ecc = await deployWindowsTarget(session.transport, {
      ...rsaSpec(session),
      desiredChain: desiredEcc(s),
      key: s.eccLeaf.key.privateKey,
      binding: { site, port: 443, host: "ecc.example.test" },
      knownCertificates: [s.e46.cert],
      endpoint: { host: "127.0.0.1", port: session.iis.port, servername: "ecc.example.test" },
    });
    expect(ecc.steps.every((p) => !("thumbprint" in p.step) || ![s.leaf.cert.sha1, s.r46.cert.sha1].includes(p.step.thumbprint))).toBe(true);
    expect(await served(session, "example.test")).toEqual(ids(desiredRsa(s)));
    expect(await served(session, "ecc.example.test")).toEqual(ids(desiredEcc(s)));
    expect(host.bindings().map((b) => [b.host, b.sslFlags])).toEqual([["example.test", 1], ["ecc.example.test", 1]]);
  });

  it("Let's Encrypt Authority X3, two certificates with one key: the stale one goes and IIS serves the desired one", async () => {
    const le = await letsEncrypt();
    const at = new Date("2021-02-01T00:00:00Z");
    const host = letsEncryptX3Host(le, at);
    session = await openSimulatedHost(host);
    // The chain legacy clients (DST Root CA X3 only) need; Windows prefers the newer same-key X3 by ISRG Root X1.
    const desired = [le.x3Leaf.cert, le.x3ByDst.cert];
    const spec: WindowsTargetSpec = { desiredChain: desired, key: le.x3Leaf.key.privateKey, binding: { site, port: 443, host: "x3.example.test" }, endpoint: { host: "127.0.0.1", port: session.iis.port, servername: "x3.example.test" }, at };
    const preview = await previewWindowsTarget(session.transport, spec);
    expect(preview.now.served.map((c) => c.sha256)).toEqual(ids([le.x3Leaf.cert, le.x3ByX1.cert]));
    const report = await deployWindowsTarget(session.transport, spec);
    expect(report.done).toContain(`distrusted the stale ${le.x3ByX1.cert.sha1} (its twin ${le.x3ByDst.cert.sha1} stays in CA)`);
    expect(await served(session, "x3.example.test")).toEqual(ids(desired));
    expect(host.has("Disallowed", le.x3ByX1.cert)).toBe(true);
  });

  it("Let's Encrypt X3: removing the stale intermediate does not last, since Windows fetches it again through AIA; Disallowed does", async () => {
    const le = await letsEncrypt();
    const at = new Date("2021-02-01T00:00:00Z");
    const host = letsEncryptX3Host(le, at);
    host.aia = [le.x3ByX1.cert];
    bindLeaf(host, le.x3Leaf, { host: "x3.example.test" });
    session = await openSimulatedHost(host);
    const onlyRemove = await session.transport.run({ verb: "apply", steps: [{ kind: "removeCertificate", store: "CA", thumbprint: le.x3ByX1.cert.sha1 }, { kind: "flushChainCaches" }] });
    expect(onlyRemove).toMatchObject({ ok: true });
    expect(await served(session, "x3.example.test")).toEqual(ids([le.x3Leaf.cert, le.x3ByX1.cert])); // back through AIA
    const spec: WindowsTargetSpec = { desiredChain: [le.x3Leaf.cert, le.x3ByDst.cert], key: le.x3Leaf.key.privateKey, binding: { site, port: 443, host: "x3.example.test" }, knownCertificates: [le.x3ByX1.cert], endpoint: { host: "127.0.0.1", port: session.iis.port, servername: "x3.example.test" }, at };
    const report = await deployWindowsTarget(session.transport, spec);
    expect(report.done).toContain(`distrusted the stale ${le.x3ByX1.cert.sha1} (its twin ${le.x3ByDst.cert.sha1} stays in CA)`);
    expect(await served(session, "x3.example.test")).toEqual(ids([le.x3Leaf.cert, le.x3ByDst.cert]));
  });

  it("replaces an IP binding keeping its flags, and serves without SNI", async () => {
    const host = sectigoHost(s);
    bindLeaf(host, await s.pki.leaf("example.test", s.r36), { ip: "*", sslFlags: 8 | 32 });
    session = await openSimulatedHost(host);
    await deployWindowsTarget(session.transport, rsaSpec(session, { binding: { site, port: 443 }, endpoint: { host: "127.0.0.1", port: session.iis.port } }));
    expect(host.bindings()).toEqual([{ site, ip: "*", port: 443, host: "", sslFlags: 8 | 32, certificateHash: s.leaf.cert.sha1, certificateStore: "My" }]);
    expect(await served(session)).toEqual(ids(desiredRsa(s)));
  });
});

describe("Windows IIS over SSH: bad inputs leave the host as it was", () => {
  async function expectUnchanged(setup: (session: SimulatedHostSession) => void, spec: (session: SimulatedHostSession) => WindowsTargetSpec, expected: object) {
    const host = sectigoHost(s, { sites: [site, "Intranet"] });
    bindLeaf(host, await s.pki.leaf("example.test", s.r36), { host: "example.test" });
    session = await openSimulatedHost(host);
    setup(session);
    const before = host.snapshot();
    await expect(deployWindowsTarget(session.transport, spec(session))).rejects.toThrow(expect.objectContaining(expected));
    expect(host.snapshot()).toBe(before);
  }

  it("a site that does not exist", () =>
    expectUnchanged(() => {}, (ss) => rsaSpec(ss, { binding: { site: "Shop", port: 443 } }), { code: "windows-site-missing", message: expect.stringContaining("IIS site 'Shop' does not exist on WEB1") }));

  it("a port and host bound by another site to another certificate", () =>
    expectUnchanged(() => {}, (ss) => rsaSpec(ss, { binding: { site: "Intranet", port: 443, host: "example.test" } }), { code: "windows-binding-conflict" }));

  it("a PFX import that fails on the host", () =>
    expectUnchanged((ss) => (ss.host.failPfxImport = true), (ss) => rsaSpec(ss), { code: "pfx-import-failed", message: expect.stringContaining("ssh administrator@127.0.0.1") }));

  it("AddSslCertificate (netsh) fails: the previous binding is restored and still served, and the error lists the steps done", async () => {
    const host = await sectigoSiteHost(s);
    host.failAddSslCertificate = true;
    session = await openSimulatedHost(host);
    const before = await served(session, "example.test");
    const bindingsBefore = JSON.stringify([host.iisBindings, host.httpSys]);
    const error = await deployWindowsTarget(session.transport, rsaSpec(session)).catch((e: Error) => e);
    expect(error).toMatchObject({ code: "command-failed" });
    expect((error as Error).message).toMatch(/The previous binding of \*:443:example\.test was restored\. Steps done before the failure: imported .* into CA; moved .* from Root to Disallowed; imported the PFX of .* into My/);
    expect(JSON.stringify([host.iisBindings, host.httpSys])).toBe(bindingsBefore);
    expect(await served(session, "example.test")).toEqual(before);
  });

  it("agent output that is not JSON, with PowerShell's CLIXML stderr decoded", () =>
    expectUnchanged((ss) => ss.ssh.faults.push({ fault: "output-not-json", verb: "inventory" }), (ss) => rsaSpec(ss), {
      code: "agent-output-not-json",
      message: expect.stringContaining(`stderr "Exception calling \\"LoadFrom\\" with \\"1\\" argument(s): \\"Could not load file or assembly \\n'file:///C:\\\\Windows`),
    }));

  it("a transport that drops during the apply", () =>
    expectUnchanged((ss) => ss.ssh.faults.push({ fault: "drop-connection", verb: "apply" }), (ss) => rsaSpec(ss), {
      code: expect.stringMatching(/^transport-/),
      message: expect.stringContaining("the SSH transport failed during an apply"),
    }));

  it("an agent that never answers: the transport gives up after its timeout, saying so", async () => {
    const host = sectigoHost(s);
    session = await openSimulatedHost(host);
    const hurried = await SshAgentTransport.connect({ ...session.sshOptions, commandTimeoutMs: 300 });
    session.ssh.faults.push({ fault: "hang", verb: "inventory" });
    const before = host.snapshot();
    await expect(deployWindowsTarget(hurried, rsaSpec(session))).rejects.toThrow(
      expect.objectContaining({ code: "transport-timeout", message: expect.stringContaining("the agent gave no answer within 300 ms while asking 'inventory': nothing was changed") }),
    );
    expect(host.snapshot()).toBe(before);
  });

  it("the agent's own refusals: distrusting a cross-signed certificate, removing a bound leaf", async () => {
    const host = sectigoHost(s);
    bindLeaf(host, s.leaf, { host: "example.test" });
    host.addCertificate("Root", s.r46ByUsertrust.cert);
    session = await openSimulatedHost(host);
    const before = host.snapshot();
    const refusal = async (request: AgentRequest) => {
      const answer = await session!.transport.run(request);
      return answer.ok ? undefined : answer.error;
    };
    expect(await refusal({ verb: "apply", steps: [{ kind: "moveToDisallowed", from: "Root", thumbprint: s.r46ByUsertrust.cert.sha1 }] })).toMatchObject({ code: "refused-not-self-signed" });
    expect(await refusal({ verb: "apply", steps: [{ kind: "importCertificate", store: "CA", thumbprint: s.r36.cert.sha1, derBase64: s.r36.cert.der.toString("base64") }, { kind: "removeCertificate", store: "My", thumbprint: s.leaf.cert.sha1 }] })).toMatchObject({
      code: "refused-in-use",
      message: expect.stringContaining("*:443:example.test of site 'Default Web Site' still uses it"),
    });
    expect(host.snapshot()).toBe(before);
  });
});

describe("secrets", () => {
  it("the PFX, its password and the key appear in no script, command line, output, log, report or error", async () => {
    const host = await sectigoSiteHost(s);
    session = await openSimulatedHost(host);
    const sent: string[] = [];
    const recording = { where: session.transport.where, close: async () => {}, run: (r: AgentRequest) => { if (r.verb === "apply" && r.pfx) sent.push(r.pfx.password, r.pfx.base64); return session!.transport.run(r); } };
    const report = await deployWindowsTarget(recording, rsaSpec(session));
    host.failPfxImport = true;
    host.removeCertificate("My", s.leaf.cert);
    const error = await deployWindowsTarget(recording, rsaSpec(session)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(sent).toHaveLength(4);
    const keyBody = s.leaf.keyPem.split("\n").slice(1, -2).join("");
    const everything = [JSON.stringify(report), (error as Error).message, ...session.log, ...session.ssh.commands, ...session.ssh.scriptsReceived, ...session.ssh.requestsReceived, ...session.ssh.outputsSent].join("\n");
    for (const secret of [...sent, keyBody, keyBody.slice(0, 40)]) expect(everything).not.toContain(secret);
    expect(session.ssh.commands.every((c) => c.length < 8191)).toBe(true);
  });
});
