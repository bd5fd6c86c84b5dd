import { beforeAll, describe, expect, it } from "vitest";
import { Certificate } from "../../../chain/certificate";
import { ChainReport } from "../../../providers/windows/contract";
import { predictServedChain } from "../../../providers/windows/chain-engine-model";
import { planWindowsTarget } from "../../../providers/windows/planner";
import { projectInventory } from "../../../providers/windows/projected-inventory";
import { Pki } from "../../../harness/pki";
import { sectigo } from "../../../harness/scenarios";
import { Sectigo, bindLeaf, desiredRsa, inventoryOf, microsoftProgramRoots, sectigoHost } from "../../support/simulated-windows-host/field-hosts";
import { SimulatedWindowsHost } from "../../support/simulated-windows-host/host-model";

const ids = (certs: readonly Certificate[]) => certs.map((c) => c.sha256);
const sni = { site: "Default Web Site", port: 443, host: "example.test" };

let s: Sectigo;
let microsoftRoots: Certificate[];
beforeAll(async () => {
  s = await sectigo();
  microsoftRoots = microsoftProgramRoots();
});

describe("predictServedChain: the Windows chain engine model", () => {
  it("prefers the short path through the self-signed R46 in Root (what breaks legacy clients)", () => {
    const host = sectigoHost(s);
    host.addCertificate("CA", s.r46ByUsertrust.cert);
    host.addCertificate("My", s.leaf.cert, s.leaf.key.privateKey);
    const p = predictServedChain(inventoryOf(host, desiredRsa(s)), s.leaf.cert, { at: s.at, programRoots: microsoftRoots });
    expect(ids(p.served)).toEqual(ids([s.leaf.cert, s.r36.cert]));
    expect(p.anchor?.sha256).toBe(s.r46.cert.sha256);
    expect(p.anchorSource).toBe("Root");
    expect(p.summary).toMatch(/^example\.test \[[0-9a-f]{16}\] > Sectigo Public Server Authentication CA DV R36 \[[0-9a-f]{16}\] \(anchor Sectigo Public Server Authentication Root R46 \[[0-9a-f]{16}\] from Root\)$/);
  });

  it("builds the cross-signed chain once the self-signed R46 is in Disallowed (the match is per certificate)", () => {
    const host = sectigoHost(s);
    host.addCertificate("CA", s.r46ByUsertrust.cert);
    host.addCertificate("Disallowed", s.r46.cert);
    host.addCertificate("My", s.leaf.cert, s.leaf.key.privateKey);
    const p = predictServedChain(inventoryOf(host, desiredRsa(s)), s.leaf.cert, { at: s.at, programRoots: [] });
    expect(ids(p.served)).toEqual(ids(desiredRsa(s)));
    expect(p.anchor?.sha256).toBe(s.usertrustRsa.cert.sha256);
  });

  it("counts roots automatic update can bring back: deleting R46 from Root is not enough, unless the policy is off", () => {
    const host = sectigoHost(s);
    host.removeCertificate("Root", s.r46.cert);
    host.addCertificate("CA", s.r46ByUsertrust.cert);
    const programRoots = [...microsoftRoots, s.r46.cert];
    const p = predictServedChain(inventoryOf(host, desiredRsa(s), undefined, programRoots), s.leaf.cert, { at: s.at, programRoots });
    expect(p.anchorSource).toBe("automatic root update");
    expect(p.served).toHaveLength(2);
    host.rootAutoUpdateDisabled = true;
    expect(predictServedChain(inventoryOf(host, desiredRsa(s), undefined, programRoots), s.leaf.cert, { at: s.at, programRoots }).served).toHaveLength(3);
  });

  it("picks the newest NotBefore among same-key issuers at equal length", async () => {
    const pki = new Pki({ now: s.at });
    const root = await pki.root("Root A");
    const older = await pki.intermediate("Issuing CA", root, { notBefore: new Date("2024-01-01T00:00:00Z") });
    const newer = await pki.crossSign(older, root, { notBefore: new Date("2025-01-01T00:00:00Z") });
    const leaf = await pki.leaf("same-key.test", older);
    const host = new SimulatedWindowsHost({ at: s.at });
    host.addCertificate("Root", root.cert);
    host.addCertificate("CA", older.cert);
    host.addCertificate("CA", newer.cert);
    const p = predictServedChain(inventoryOf(host, [leaf.cert]), leaf.cert, { at: s.at, programRoots: [] });
    expect(ids(p.served)).toEqual(ids([leaf.cert, newer.cert]));
  });

  it("with no trusted chain, Windows still builds (and sends) its best chain, as the simulated host's chain verb reports it", () => {
    const host = new SimulatedWindowsHost({ at: s.at });
    host.addCertificate("CA", s.r36.cert);
    host.addCertificate("CA", s.r46.cert); // a self-signed root in CA is no anchor
    bindLeaf(host, s.leaf, { host: "example.test" });
    const p = predictServedChain(inventoryOf(host, desiredRsa(s), sni), s.leaf.cert, { at: s.at, programRoots: [] });
    expect(p.trusted).toBe(false);
    expect(p.summary).toContain("(Windows finds no trusted chain)");
    expect(ids(p.served)).toEqual(ids([s.leaf.cert, s.r36.cert]));
    const report = host.handle({ verb: "chain", thumbprint: s.leaf.cert.sha1 });
    expect(report).toMatchObject({ ok: true, result: { status: ["UntrustedRoot"] } });
    expect((report as { result: ChainReport }).result.elements.map((e) => e.sha256)).toEqual(ids([s.leaf.cert, s.r36.cert, s.r46.cert]));
    expect(host.servedFor(443, "example.test")!.chain.map((c) => c.sha256)).toEqual(ids(p.served));
  });

  it("an expired intermediate is still in Windows's best chain (status NotTimeValid), not dropped", async () => {
    const host = sectigoHost(s);
    const expired = await s.pki.intermediate("Sectigo Public Server Authentication CA DV R36", s.r46, { sameKeyAs: s.r36, subjectSuffix: undefined, notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") });
    host.removeCertificate("CA", s.r36.cert);
    host.addCertificate("CA", expired.cert);
    bindLeaf(host, s.leaf, { host: "example.test" });
    const report = host.handle({ verb: "chain", thumbprint: s.leaf.cert.sha1 }) as { result: ChainReport };
    expect(report.result.elements.map((e) => e.sha256)).toEqual(ids([s.leaf.cert, expired.cert, s.r46.cert]));
    expect(report.result.status).toEqual(["NotTimeValid", "UntrustedRoot"]);
  });

  it("SYSTEM's stores: Schannel (and the model) see them; the agent's machine-context chain does not", () => {
    const host = sectigoHost(s);
    host.removeCertificate("Root", s.r46.cert);
    host.addCertificate("SYSTEM:Root", s.r46.cert);
    host.addCertificate("CA", s.r46ByUsertrust.cert);
    bindLeaf(host, s.leaf, { host: "example.test" });
    const p = predictServedChain(inventoryOf(host, desiredRsa(s), sni), s.leaf.cert, { at: s.at, programRoots: [] });
    expect(ids(p.served)).toEqual(ids([s.leaf.cert, s.r36.cert]));
    expect(p.anchorSource).toBe("SYSTEM:Root");
    expect(host.servedFor(443, "example.test")!.chain.map((c) => c.sha256)).toEqual(ids(p.served));
    const machine = (host.handle({ verb: "chain", thumbprint: s.leaf.cert.sha1 }) as { result: ChainReport }).result;
    expect(machine.elements.map((e) => e.sha256)).toEqual(ids([...desiredRsa(s), s.usertrustRsa.cert]));
  });

  it("agrees with the simulated host's own engine before and after the plan, for every flavour of the host", async () => {
    const flavours: Array<(h: SimulatedWindowsHost) => void> = [
      () => {},
      (h) => h.addCertificate("SYSTEM:Root", s.r46.cert),
      (h) => h.removeCertificate("Root", s.r46.cert),
      (h) => h.addCertificate("CA", s.r46.cert),
      (h) => h.addCertificate("AuthRoot", s.r46.cert),
      (h) => ((h.groupPolicyRoots = [s.r46.cert]), h.refreshGroupPolicy()),
    ];
    for (const flavour of flavours) {
      const host = sectigoHost(s, { programRoots: [s.r46.cert] });
      flavour(host);
      bindLeaf(host, s.leaf, { host: "example.test" });
      const before = inventoryOf(host, desiredRsa(s), sni, [s.r46.cert]);
      const options = { at: s.at, programRoots: [s.r46.cert] };
      const schannel = () => ids(host.schannelChain(s.leaf.cert).chain);
      const predictedBefore = predictServedChain(before, s.leaf.cert, options);
      expect([...ids(predictedBefore.served), predictedBefore.anchor!.sha256]).toEqual(schannel());

      const plan = planWindowsTarget({ desiredChain: desiredRsa(s), binding: sni, knownCertificates: [s.r46.cert] }, before);
      const after = predictServedChain(projectInventory(before, plan.steps.map((p) => p.step), s.leaf.cert), s.leaf.cert, options);
      expect(ids(after.served)).toEqual(ids(desiredRsa(s)));
      expect(host.handle({ verb: "apply", steps: plan.steps.map((p) => p.step) })).toMatchObject({ ok: true });
      expect([...ids(after.served), after.anchor!.sha256]).toEqual(schannel());
    }
  });

  it("reads Microsoft's program list: Sectigo R46/E46 and USERTrust are there, so automatic update can bring R46 back", () => {
    const names = microsoftRoots.map((c) => c.commonName);
    expect(microsoftRoots.length).toBeGreaterThan(200);
    for (const cn of ["Sectigo Public Server Authentication Root R46", "Sectigo Public Server Authentication Root E46", "USERTrust RSA Certification Authority", "AAA Certificate Services"]) {
      expect(names).toContain(cn);
    }
  });
});
