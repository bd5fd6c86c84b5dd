import { beforeAll, describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { writePfx } from "../../../chain/pfx-write";
import { Step } from "../../../providers/windows/contract";
import { HostInventory } from "../../../providers/windows/inventory";
import { planWindowsTarget } from "../../../providers/windows/planner";
import { letsEncrypt, sectigo } from "../../../harness/scenarios";
import { Sectigo, bindLeaf, desiredEcc, desiredRsa, letsEncryptX3Host, sectigoHost } from "../../support/simulated-windows-host/field-hosts";
import { SimulatedWindowsHost } from "../../support/simulated-windows-host/host-model";

const site = "Default Web Site";
const kinds = (steps: { step: Step }[]) => steps.map((s) => s.step.kind);
const inventoryOf = (host: SimulatedWindowsHost) => new HostInventory(host.inventory());

let s: Sectigo;
beforeAll(async () => {
  s = await sectigo();
});

describe("planWindowsTarget: Sectigo R46 cross-signed by USERTrust", () => {
  it("imports the cross-sign, moves the self-signed R46 to Disallowed, imports the PFX, rebinds and drops the old leaf", async () => {
    const host = sectigoHost(s);
    const oldLeaf = await s.pki.leaf("example.test", s.r36);
    bindLeaf(host, oldLeaf, { host: "example.test", sslFlags: 1 | 32 });
    const plan = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443, host: "example.test" } }, inventoryOf(host));
    expect(kinds(plan.steps)).toEqual(["importCertificate", "moveToDisallowed", "importPfx", "replaceBinding", "removeCertificate"]);
    expect(plan.steps[0].step).toMatchObject({ store: "CA", thumbprint: s.r46ByUsertrust.cert.sha1 });
    expect(plan.steps[1].step).toEqual({ kind: "moveToDisallowed", from: "Root", thumbprint: s.r46.cert.sha1 });
    expect(plan.steps[1].why).toContain("Windows would build the short chain");
    expect(plan.steps[2].step).toEqual({ kind: "importPfx", store: "My", thumbprint: s.leaf.cert.sha1, exportable: false });
    expect(plan.steps[3].step).toEqual({ kind: "replaceBinding", site, ip: "*", port: 443, host: "example.test", sslFlags: 1 | 32, certificateHash: s.leaf.cert.sha1, certificateStore: "My" });
    expect(plan.steps[4].step).toEqual({ kind: "removeCertificate", store: "My", thumbprint: oldLeaf.cert.sha1 });
  });

  it("adds the self-signed twin to Disallowed when the host does not have it, so automatic root update cannot bring it back", () => {
    const host = sectigoHost(s);
    host.removeCertificate("Root", s.r46.cert);
    const plan = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 }, knownCertificates: [s.r46.cert] }, inventoryOf(host));
    const distrust = plan.steps.find((p) => p.step.kind === "addToDisallowed");
    expect(distrust?.step).toEqual({ kind: "addToDisallowed", thumbprint: s.r46.cert.sha1, derBase64: s.r46.cert.der.toString("base64") });
    expect(distrust?.why).toContain("automatic root update cannot bring it back");
  });

  it("takes the twin out of every store it is in (AuthRoot, SYSTEM's Root, CA), moving it once", () => {
    const host = sectigoHost(s);
    host.addCertificate("AuthRoot", s.r46.cert);
    host.addCertificate("SYSTEM:Root", s.r46.cert);
    host.addCertificate("CA", s.r46.cert);
    const steps = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 } }, inventoryOf(host)).steps.map((p) => p.step);
    const touching = steps.filter((st) => "thumbprint" in st && st.thumbprint === s.r46.cert.sha1);
    expect(touching).toEqual([
      { kind: "moveToDisallowed", from: "Root", thumbprint: s.r46.cert.sha1 },
      { kind: "removeCertificate", store: "AuthRoot", thumbprint: s.r46.cert.sha1 },
      { kind: "removeCertificate", store: "CA", thumbprint: s.r46.cert.sha1 },
      { kind: "removeCertificate", store: "SYSTEM:Root", thumbprint: s.r46.cert.sha1 },
    ]);
  });

  it("never distrusts the cross-signed certificate itself, nor the anchor it leads to", () => {
    const host = sectigoHost(s);
    host.addCertificate("Root", s.r46ByUsertrust.cert);
    const steps = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 } }, inventoryOf(host)).steps.map((p) => p.step);
    const distrusted = steps.filter((st) => st.kind === "moveToDisallowed" || st.kind === "addToDisallowed").map((st) => ("thumbprint" in st ? st.thumbprint : ""));
    expect(distrusted).toEqual([s.r46.cert.sha1]);
  });

  it("plans nothing once its plan is applied (idempotent); the host refuses the plan without its PFX, unchanged", () => {
    const host = sectigoHost(s);
    const input = { desiredChain: desiredRsa(s), binding: { site, port: 443, host: "example.test" } };
    const steps = planWindowsTarget(input, inventoryOf(host)).steps.map((p) => p.step);
    const before = host.snapshot();
    expect(host.handle({ verb: "apply", steps })).toMatchObject({ ok: false, error: { code: "pfx-missing" } });
    expect(host.snapshot()).toBe(before);
    const pfx = { base64: writePfx([s.leaf.cert], s.leaf.key.privateKey, "pw", { profile: "legacy" }).toString("base64"), password: "pw" };
    expect(host.handle({ verb: "apply", steps, pfx })).toMatchObject({ ok: true });
    expect(planWindowsTarget(input, inventoryOf(host)).steps).toEqual([]);
  });

  it("keeps the existing flags of an IP binding and does not add SNI", () => {
    const host = sectigoHost(s);
    bindLeaf(host, s.leaf, { ip: "10.0.0.5", sslFlags: 8 | 64 });
    const plan = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443, ip: "10.0.0.5" } }, inventoryOf(host));
    expect(plan.bindingStep).toMatchObject({ ip: "10.0.0.5", host: "", sslFlags: 8 | 64 });
  });

  it("leaves a Central Certificate Store binding as it is (its leaf comes from the CCS share) and still arranges the stores", () => {
    const host = sectigoHost(s);
    host.addBinding({ site, ip: "*", port: 443, host: "example.test", sslFlags: 1 | 2, certificateHash: "", certificateStore: "" });
    const plan = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443, host: "example.test" } }, inventoryOf(host));
    expect(kinds(plan.steps)).not.toContain("replaceBinding");
    expect(kinds(plan.steps)).toContain("moveToDisallowed");
    expect(plan.bindingStep.sslFlags).toBe(1 | 2);
  });

  it("keeps an old leaf that another binding still uses", async () => {
    const host = sectigoHost(s);
    const oldLeaf = await s.pki.leaf("example.test", s.r36);
    bindLeaf(host, oldLeaf, { host: "example.test" });
    host.addBinding({ site, ip: "*", port: 8443, host: "", sslFlags: 0, certificateHash: oldLeaf.cert.sha1, certificateStore: "My" });
    const steps = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443, host: "example.test" } }, inventoryOf(host)).steps.map((p) => p.step);
    expect(steps.some((st) => st.kind === "removeCertificate" && st.thumbprint === oldLeaf.cert.sha1)).toBe(false);
  });

  it("plans the RSA and the ECC certificate of one host independently", () => {
    const host = sectigoHost(s);
    const rsa = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443, host: "example.test" } }, inventoryOf(host));
    const ecc = planWindowsTarget({ desiredChain: desiredEcc(s), binding: { site, port: 443, host: "ecc.example.test" } }, inventoryOf(host));
    const thumbs = (plan: typeof rsa) => plan.steps.map((p) => ("thumbprint" in p.step ? p.step.thumbprint : "")).filter(Boolean);
    expect(thumbs(rsa)).toEqual([s.r46ByUsertrust.cert.sha1, s.r46.cert.sha1, s.leaf.cert.sha1]);
    expect(thumbs(ecc)).toEqual([s.e46ByUsertrust.cert.sha1, s.e46.cert.sha1, s.eccLeaf.cert.sha1]);
  });

  it("sets DisableRootAutoUpdate only when opted in", () => {
    const host = sectigoHost(s);
    const plain = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 } }, inventoryOf(host));
    const opted = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 }, disableRootAutoUpdate: true }, inventoryOf(host));
    expect(kinds(plain.steps)).not.toContain("disableRootAutoUpdate");
    expect(kinds(opted.steps)).toContain("disableRootAutoUpdate");
  });
});

describe("planWindowsTarget: bad inputs", () => {
  it("refuses a site that does not exist, naming the sites there", () => {
    const host = sectigoHost(s);
    let error: unknown;
    try {
      planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site: "Shop", port: 443 } }, inventoryOf(host));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChainsmithInputError);
    expect(error).toMatchObject({ code: "windows-site-missing" });
    expect((error as Error).message).toContain("IIS site 'Shop' does not exist on WEB1 (sites: Default Web Site)");
  });

  it("refuses a port and host another site has bound to another certificate", async () => {
    const host = new SimulatedWindowsHost({ at: s.at, sites: [site, "Intranet"] });
    const other = await s.pki.leaf("intranet.test", s.r36);
    bindLeaf(host, other, { site: "Intranet", port: 443 });
    expect(() => planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 } }, inventoryOf(host))).toThrow(
      expect.objectContaining({ code: "windows-binding-conflict", message: expect.stringContaining(`already bound by site 'Intranet' to certificate ${other.cert.sha1}`) }),
    );
  });

  it("refuses an empty chain and a port out of range", () => {
    const inv = inventoryOf(sectigoHost(s));
    expect(() => planWindowsTarget({ desiredChain: [], binding: { site, port: 443 } }, inv)).toThrow(expect.objectContaining({ code: "empty-chain" }));
    expect(() => planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 70000 } }, inv)).toThrow(expect.objectContaining({ code: "windows-binding-port" }));
  });
});

describe("planWindowsTarget: Let's Encrypt Authority X3, two certificates with one key", () => {
  it("removes the stale same-key intermediate from CA and keeps the desired one", async () => {
    const le = await letsEncrypt();
    const at = new Date("2021-02-01T00:00:00Z");
    const host = letsEncryptX3Host(le, at);
    host.addCertificate("SYSTEM:CA", le.x3ByDst.cert);
    const steps = planWindowsTarget({ desiredChain: [le.x3Leaf.cert, le.x3ByX1.cert], binding: { site, port: 443 } }, inventoryOf(host)).steps;
    const removals = steps.filter((p) => p.step.kind === "removeCertificate");
    expect(removals.map((p) => p.step)).toEqual([
      { kind: "removeCertificate", store: "CA", thumbprint: le.x3ByDst.cert.sha1 },
      { kind: "removeCertificate", store: "SYSTEM:CA", thumbprint: le.x3ByDst.cert.sha1 },
    ]);
    expect(removals[0].why).toContain("shares its key with Let's Encrypt Authority X3");
  });
});
