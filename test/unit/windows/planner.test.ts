import { beforeAll, describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { writePfx } from "../../../chain/pfx-write";
import { Step } from "../../../providers/windows/contract";
import { focusOf } from "../../../providers/windows/windows-target";
import { planWindowsTarget } from "../../../providers/windows/planner";
import { letsEncrypt, sectigo } from "../../../harness/scenarios";
import { Sectigo, bindLeaf, desiredEcc, desiredRsa, inventoryOf, letsEncryptX3Host, sectigoHost } from "../../support/simulated-windows-host/field-hosts";
import { SimulatedWindowsHost } from "../../support/simulated-windows-host/host-model";

const site = "Default Web Site";
const kinds = (steps: { step: Step }[]) => steps.map((s) => s.step.kind);
const sni = { site, port: 443, host: "example.test" };

let s: Sectigo;
beforeAll(async () => {
  s = await sectigo();
});

describe("planWindowsTarget: Sectigo R46 cross-signed by USERTrust", () => {
  it("imports the cross-sign, moves the self-signed R46 to Disallowed, imports the PFX and updates the binding; the old leaf stays unless asked", async () => {
    const host = sectigoHost(s);
    const oldLeaf = await s.pki.leaf("example.test", s.r36);
    bindLeaf(host, oldLeaf, { host: "example.test", sslFlags: 1 | 32 });
    const plan = planWindowsTarget({ desiredChain: desiredRsa(s), binding: sni }, inventoryOf(host, desiredRsa(s), sni));
    expect(kinds(plan.steps)).toEqual(["importCertificate", "moveToDisallowed", "importPfx", "replaceBinding"]);
    expect(plan.steps[0].step).toMatchObject({ store: "CA", thumbprint: s.r46ByUsertrust.cert.sha1 });
    expect(plan.steps[1].step).toEqual({ kind: "moveToDisallowed", from: "Root", thumbprint: s.r46.cert.sha1 });
    expect(plan.steps[1].why).toContain("Windows would build the short chain");
    expect(plan.steps[2].step).toEqual({ kind: "importPfx", store: "My", thumbprint: s.leaf.cert.sha1, exportable: false });
    expect(plan.steps[3].step).toEqual({ kind: "replaceBinding", site, ip: "*", port: 443, host: "example.test", sslFlags: 1 | 32, certificateHash: s.leaf.cert.sha1, certificateStore: "My" });
    const removing = planWindowsTarget({ desiredChain: desiredRsa(s), binding: sni, removeOldLeaf: true }, inventoryOf(host, desiredRsa(s), sni));
    expect(removing.steps.at(-1)!.step).toEqual({ kind: "removeCertificate", store: "My", thumbprint: oldLeaf.cert.sha1 });
  });

  it("adds the self-signed twin to Disallowed when the host does not have it, so automatic root update cannot bring it back", () => {
    const host = sectigoHost(s);
    host.removeCertificate("Root", s.r46.cert);
    const plan = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 }, knownCertificates: [s.r46.cert] }, inventoryOf(host, desiredRsa(s), undefined, [s.r46.cert]));
    const distrust = plan.steps.find((p) => p.step.kind === "addToDisallowed");
    expect(distrust?.step).toEqual({ kind: "addToDisallowed", thumbprint: s.r46.cert.sha1, derBase64: s.r46.cert.der.toString("base64") });
    expect(distrust?.why).toContain("automatic root update cannot bring it back");
  });

  it("moves the twin once, from the first writable store it is in; a twin already in Disallowed is done (Disallowed wins over every Root)", () => {
    const host = sectigoHost(s);
    host.removeCertificate("Root", s.r46.cert);
    host.addCertificate("AuthRoot", s.r46.cert);
    host.addCertificate("SYSTEM:Root", s.r46.cert);
    host.addCertificate("CA", s.r46.cert);
    const touching = (h: SimulatedWindowsHost) =>
      planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 } }, inventoryOf(h, desiredRsa(s))).steps.map((p) => p.step).filter((st) => "thumbprint" in st && st.thumbprint === s.r46.cert.sha1);
    expect(touching(host)).toEqual([{ kind: "moveToDisallowed", from: "AuthRoot", thumbprint: s.r46.cert.sha1 }]);
    host.addCertificate("Disallowed", s.r46.cert);
    expect(touching(host)).toEqual([]);
  });

  it("Root includes AuthRoot on Windows, but the inventory is of physical stores: a root only in AuthRoot is seen there once", () => {
    const host = sectigoHost(s);
    host.removeCertificate("Root", s.r46.cert);
    host.addCertificate("AuthRoot", s.r46.cert);
    const inventory = inventoryOf(host, desiredRsa(s));
    expect(inventory.raw.placements.filter((p) => p.thumbprint === s.r46.cert.sha1).map((p) => p.store)).toEqual(["AuthRoot"]);
  });

  it("a Group Policy root is never deleted (it cannot be, and would come back): it is added to Disallowed, which overrides it, and the plan is done after that", () => {
    const host = sectigoHost(s);
    host.removeCertificate("Root", s.r46.cert);
    host.groupPolicyRoots = [s.r46.cert];
    host.refreshGroupPolicy();
    const input = { desiredChain: desiredRsa(s), binding: { site, port: 443 } };
    const steps = planWindowsTarget(input, inventoryOf(host, desiredRsa(s))).steps;
    const touching = steps.filter((p) => "thumbprint" in p.step && p.step.thumbprint === s.r46.cert.sha1);
    expect(touching.map((p) => p.step)).toEqual([{ kind: "addToDisallowed", thumbprint: s.r46.cert.sha1, derBase64: s.r46.cert.der.toString("base64") }]);
    expect(touching[0].why).toContain("Root:GroupPolicy (Group Policy or Active Directory: it cannot be deleted)");
    const pfx = { base64: writePfx([s.leaf.cert], s.leaf.key.privateKey, "pw", { profile: "legacy" }).toString("base64"), password: "pw" };
    expect(host.handle({ verb: "apply", steps: steps.map((p) => p.step), pfx })).toMatchObject({ ok: true });
    host.refreshGroupPolicy();
    expect(planWindowsTarget(input, inventoryOf(host, desiredRsa(s))).steps).toEqual([]);
    // Deleting it is refused, as Windows refuses it.
    expect(host.handle({ verb: "apply", steps: [{ kind: "removeCertificate", store: "Root:GroupPolicy" as never, thumbprint: s.r46.cert.sha1 }] })).toMatchObject({ ok: false, error: { code: "bad-step" } });
  });

  it("never distrusts the cross-signed certificate itself, nor the anchor it leads to", () => {
    const host = sectigoHost(s);
    host.addCertificate("Root", s.r46ByUsertrust.cert);
    const steps = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 } }, inventoryOf(host, desiredRsa(s))).steps.map((p) => p.step);
    const distrusted = steps.filter((st) => st.kind === "moveToDisallowed" || st.kind === "addToDisallowed").map((st) => ("thumbprint" in st ? st.thumbprint : ""));
    expect(distrusted).toEqual([s.r46.cert.sha1]);
  });

  it("plans nothing once its plan is applied (idempotent); the host refuses the plan without its PFX, unchanged", () => {
    const host = sectigoHost(s);
    const input = { desiredChain: desiredRsa(s), binding: sni };
    const steps = planWindowsTarget(input, inventoryOf(host, desiredRsa(s), sni)).steps.map((p) => p.step);
    const before = host.snapshot();
    expect(host.handle({ verb: "apply", steps })).toMatchObject({ ok: false, error: { code: "pfx-missing" } });
    expect(host.snapshot()).toBe(before);
    const pfx = { base64: writePfx([s.leaf.cert], s.leaf.key.privateKey, "pw", { profile: "legacy" }).toString("base64"), password: "pw" };
    expect(host.handle({ verb: "apply", steps, pfx })).toMatchObject({ ok: true });
    expect(planWindowsTarget(input, inventoryOf(host, desiredRsa(s), sni)).steps).toEqual([]);
  });

  it("a leaf present without its key (orphaned key): the PFX is imported again, and afterwards the key is there", () => {
    const host = sectigoHost(s);
    host.addCertificate("My", s.leaf.cert);
    const input = { desiredChain: desiredRsa(s), binding: sni };
    const plan = planWindowsTarget(input, inventoryOf(host, desiredRsa(s), sni));
    const importing = plan.steps.find((p) => p.step.kind === "importPfx")!;
    expect(importing.why).toContain("is there without a usable private key in LocalMachine\\My");
    const pfx = { base64: writePfx([s.leaf.cert], s.leaf.key.privateKey, "pw", { profile: "legacy" }).toString("base64"), password: "pw" };
    expect(host.handle({ verb: "apply", steps: plan.steps.map((p) => p.step), pfx })).toMatchObject({ ok: true });
    expect(host.stores.get("My")!.get(s.leaf.cert.sha1)?.key).toBeDefined();
  });

  it("keeps the existing flags of an IP binding and does not add SNI", () => {
    const host = sectigoHost(s);
    bindLeaf(host, s.leaf, { ip: "10.0.0.5", sslFlags: 8 | 64 });
    const binding = { site, port: 443, ip: "10.0.0.5" };
    const plan = planWindowsTarget({ desiredChain: desiredRsa(s), binding }, inventoryOf(host, desiredRsa(s), binding));
    expect(plan.bindingStep).toMatchObject({ ip: "10.0.0.5", host: "", sslFlags: 8 | 64 });
  });

  it("leaves a Central Certificate Store binding as it is (its leaf comes from the CCS share) and still arranges the stores", () => {
    const host = sectigoHost(s);
    host.addBinding({ site, ip: "*", port: 443, host: "example.test", sslFlags: 1 | 2, certificateHash: "", certificateStore: "" });
    const plan = planWindowsTarget({ desiredChain: desiredRsa(s), binding: sni }, inventoryOf(host, desiredRsa(s), sni));
    expect(kinds(plan.steps)).not.toContain("replaceBinding");
    expect(kinds(plan.steps)).toContain("moveToDisallowed");
    expect(plan.bindingStep.sslFlags).toBe(1 | 2);
  });

  it("keeps an old leaf that another IIS binding, a non-IIS http.sys entry (WinRM) or RDP still uses", async () => {
    const uses: Array<(h: SimulatedWindowsHost, thumbprint: string) => void> = [
      (h, t) => h.addBinding({ site, ip: "*", port: 8443, host: "", sslFlags: 0, certificateHash: t, certificateStore: "My" }),
      (h, t) => h.addHttpSysEntry({ kind: "ipport", endpoint: "0.0.0.0:5986", certificateHash: t, certificateStore: "MY", appId: "{afebb9ad-9b97-4a91-9ab5-daf4d59122f6}" }),
      (h, t) => (h.rdpCertificate = t),
    ];
    for (const use of uses) {
      const host = sectigoHost(s);
      const oldLeaf = await s.pki.leaf("example.test", s.r36);
      bindLeaf(host, oldLeaf, { host: "example.test" });
      use(host, oldLeaf.cert.sha1);
      const inventory = inventoryOf(host, desiredRsa(s), sni);
      const steps = planWindowsTarget({ desiredChain: desiredRsa(s), binding: sni, removeOldLeaf: true }, inventory).steps.map((p) => p.step);
      expect(steps.some((st) => st.kind === "removeCertificate" && st.thumbprint === oldLeaf.cert.sha1)).toBe(false);
      // The agent refuses it too, should a plan ask.
      expect(host.handle({ verb: "apply", steps: [{ kind: "removeCertificate", store: "My", thumbprint: oldLeaf.cert.sha1 }] })).toMatchObject({ ok: false, error: { code: "refused-in-use" } });
    }
  });

  it("plans the RSA and the ECC certificate of one host independently", () => {
    const host = sectigoHost(s);
    const eccBinding = { site, port: 443, host: "ecc.example.test" };
    const rsa = planWindowsTarget({ desiredChain: desiredRsa(s), binding: sni }, inventoryOf(host, desiredRsa(s), sni));
    const ecc = planWindowsTarget({ desiredChain: desiredEcc(s), binding: eccBinding }, inventoryOf(host, desiredEcc(s), eccBinding));
    const thumbs = (plan: typeof rsa) => plan.steps.map((p) => ("thumbprint" in p.step ? p.step.thumbprint : "")).filter(Boolean);
    expect(thumbs(rsa)).toEqual([s.r46ByUsertrust.cert.sha1, s.r46.cert.sha1, s.leaf.cert.sha1]);
    expect(thumbs(ecc)).toEqual([s.e46ByUsertrust.cert.sha1, s.e46.cert.sha1, s.eccLeaf.cert.sha1]);
  });

  it("sets DisableRootAutoUpdate only when opted in", () => {
    const inventory = inventoryOf(sectigoHost(s), desiredRsa(s));
    const plain = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 } }, inventory);
    const opted = planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 }, disableRootAutoUpdate: true }, inventory);
    expect(kinds(plain.steps)).not.toContain("disableRootAutoUpdate");
    expect(kinds(opted.steps)).toContain("disableRootAutoUpdate");
  });

  it("asks the agent only about what can take part in the chain (names and key ids), and names the certificates it already has", () => {
    const focus = focusOf({ desiredChain: desiredRsa(s), binding: sni, knownCertificates: s.rsaPool.map((c) => c.cert) });
    const inventory = sectigoHost(s).inventory(focus);
    const reported = new Set(inventory.placements.map((p) => p.thumbprint));
    expect(reported.has(s.r46.cert.sha1) && reported.has(s.r36.cert.sha1) && reported.has(s.usertrustRsa.cert.sha1)).toBe(true);
    expect(reported.has(s.e46.cert.sha1) || reported.has(s.usertrustEcc.cert.sha1)).toBe(false);
    expect(inventory.certificates.map((c) => c.thumbprint)).not.toContain(s.r46.cert.sha1); // known: placement only
    expect(focus.known).toEqual(expect.arrayContaining([s.r46.cert.sha1, s.r36.cert.sha1]));
  });
});

describe("planWindowsTarget: bad inputs", () => {
  it("refuses a site that does not exist, naming the sites there", () => {
    let error: unknown;
    try {
      planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site: "Shop", port: 443 } }, inventoryOf(sectigoHost(s), desiredRsa(s)));
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
    expect(() => planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443 } }, inventoryOf(host, desiredRsa(s)))).toThrow(
      expect.objectContaining({ code: "windows-binding-conflict", message: expect.stringContaining(`already bound by site 'Intranet' to certificate ${other.cert.sha1}`) }),
    );
  });

  it("refuses an empty chain and a port out of range", () => {
    const inv = inventoryOf(sectigoHost(s), desiredRsa(s));
    expect(() => planWindowsTarget({ desiredChain: [], binding: { site, port: 443 } }, inv)).toThrow(expect.objectContaining({ code: "empty-chain" }));
    expect(() => planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 70000 } }, inv)).toThrow(expect.objectContaining({ code: "windows-binding-port" }));
  });

  it("refuses a host or ip that is not what it claims to be (they reach bindingInformation and netsh's arguments)", () => {
    const inv = inventoryOf(sectigoHost(s), desiredRsa(s));
    const plan = (binding: object) => () => planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443, ...binding } }, inv);
    for (const host of ['example.test" & calc', "*.example.test", "exa mple.test", "-x.test", "bücher.test", `${"a".repeat(64)}.test`]) {
      expect(plan({ host }), host).toThrow(expect.objectContaining({ code: "windows-binding-host" }));
    }
    for (const ip of ["10.0.0.300", "10.0.0.5:443", "localhost", '*"', "fe80::1%eth0", ""]) {
      expect(plan({ ip }), ip).toThrow(expect.objectContaining({ code: "windows-binding-ip" }));
    }
    expect(plan({ site: 'Default"Web' })).toThrow(expect.objectContaining({ code: "windows-binding-site" }));
    expect(plan({ host: "WWW.Example.Test." })().bindingStep).toMatchObject({ host: "www.example.test" });
    expect(() => planWindowsTarget({ desiredChain: desiredRsa(s), binding: { site, port: 443, ip: "::1" } }, inv)).not.toThrow(expect.objectContaining({ code: "windows-binding-ip" }));
  });
});

describe("planWindowsTarget: Let's Encrypt Authority X3, two certificates with one key", () => {
  it("distrusts the stale same-key intermediate per certificate (removing it would not last: AIA brings it back) and keeps the desired one", async () => {
    const le = await letsEncrypt();
    const at = new Date("2021-02-01T00:00:00Z");
    const host = letsEncryptX3Host(le, at);
    host.addCertificate("SYSTEM:CA", le.x3ByX1.cert);
    const desired = [le.x3Leaf.cert, le.x3ByDst.cert];
    const steps = planWindowsTarget({ desiredChain: desired, binding: { site, port: 443 } }, inventoryOf(host, desired)).steps;
    const stale = steps.filter((p) => p.step.kind === "distrustStaleTwin");
    expect(stale.map((p) => p.step)).toEqual([{ kind: "distrustStaleTwin", thumbprint: le.x3ByX1.cert.sha1, derBase64: le.x3ByX1.cert.der.toString("base64"), keptTwin: le.x3ByDst.cert.sha1 }]);
    expect(stale[0].why).toContain("shares its key with Let's Encrypt Authority X3");
    expect(steps.some((p) => p.step.kind === "removeCertificate")).toBe(false);
  });
});
