import * as crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { readPfx } from "../../../chain/pfx-read";
import { buildDesiredState } from "../../../providers/linux/desired-state";
import { planFiles } from "../../../providers/linux/presets";
import { Pki, pemOf, type Issued } from "../../../harness/pki";

let root: Issued, ca: Issued, leaf: Issued, stranger: Issued, otherCa: Issued, rekeyedCa: Issued, shortCa: Issued, underShortCa: Issued;
beforeAll(async () => {
  const pki = new Pki();
  root = await pki.root("Root");
  ca = await pki.intermediate("CA", root);
  leaf = await pki.leaf("site.example.test", ca);
  stranger = await pki.leaf("other.example.test", ca);
  otherCa = await pki.intermediate("Other CA", root);
  rekeyedCa = await pki.intermediate("CA", root); // the same name as ca, another key
  shortCa = await pki.intermediate("Short CA", root, { notAfter: new Date(pki.now.getTime() + 10 * 86400_000) });
  underShortCa = await pki.leaf("short.example.test", shortCa); // valid for 90 days, longer than its CA
});

const sha = (text: string | Buffer) => crypto.createHash("sha256").update(text).digest("hex");

describe("buildDesiredState", () => {
  it("renders each planned file with its hash, and remembers what the leaf alone looks like", () => {
    const state = buildDesiredState({ chainPem: pemOf(leaf, ca), privateKeyPem: leaf.keyPem }, planFiles({ preset: "nginx" }));
    expect(state.files.map((f) => [f.role, f.content.toString()])).toEqual([
      ["fullchain", pemOf(leaf, ca)],
      ["privkey", leaf.keyPem],
    ]);
    expect(state.files[0].sha256).toBe(sha(pemOf(leaf, ca)));
    expect(state.chain.map((c) => c.sha256)).toEqual([leaf.cert.sha256, ca.cert.sha256]);
    expect(state.knownContents).toContainEqual({ sha256: sha(leaf.pem), description: "the leaf only" });
    expect(state.secrets).toContain(leaf.keyPem);
  });

  it("writes a PFX that opens with its password and holds the chain and the key", () => {
    const plan = planFiles({ preset: "custom", files: { pfx: { path: "/opt/app/site.pfx" } } });
    const state = buildDesiredState({ chainPem: pemOf(leaf, ca), privateKeyPem: leaf.keyPem, pfxPassword: "pfx-pass-1234", pfxProfile: "legacy" }, plan);
    const pfx = readPfx(state.files[0].content, "pfx-pass-1234", "site.pfx");
    expect(pfx.certificates.map((c) => c.sha256)).toEqual([leaf.cert.sha256, ca.cert.sha256]);
    expect(pfx.leaf?.sha256).toBe(leaf.cert.sha256);
    expect(state.files[0].mode).toBe(0o600);
    expect(state.secrets).toContain("pfx-pass-1234");
  });

  it("refuses a chain that does not link, saying which position and what to give instead", () => {
    const nginx = planFiles({ preset: "nginx" });
    const build = (chain: Issued[]) => () => buildDesiredState({ chainPem: pemOf(...chain), privateKeyPem: leaf.keyPem }, nginx);
    expect(build([leaf, otherCa])).toThrow(
      expect.objectContaining({
        code: "chain-out-of-order",
        message: `Position 2 of the chain, ${otherCa.cert.label}, did not issue position 1, ${leaf.cert.label}. Give the chain leaf first, each certificate followed by its issuer.`,
      }),
    );
    expect(build([leaf, rekeyedCa])).toThrow(
      expect.objectContaining({ code: "chain-does-not-link", message: expect.stringMatching(/^Position 2 of the chain, CA \[[0-9a-f]+\], has the name of the issuer of position 1, .* but its key did not sign it/) }),
    );
  });

  it("refuses an expired or not-yet-valid leaf or intermediate, saying which, when, and what to do", () => {
    const nginx = planFiles({ preset: "nginx" });
    const at = (when: Date) => () => buildDesiredState({ chainPem: pemOf(leaf, ca), privateKeyPem: leaf.keyPem }, nginx, when);
    const afterLeaf = new Date(leaf.cert.notAfter.getTime() + 1000);
    expect(at(afterLeaf)).toThrow(
      expect.objectContaining({
        code: "leaf-expired",
        message: `The leaf ${leaf.cert.label} expired on ${leaf.cert.notAfter.toISOString()} (checked at ${afterLeaf.toISOString()}). Renew it and give the new certificate.`,
      }),
    );
    const beforeLeaf = new Date(leaf.cert.notBefore.getTime() - 1000);
    expect(at(beforeLeaf)).toThrow(expect.objectContaining({ code: "leaf-not-yet-valid", message: expect.stringContaining(`The leaf ${leaf.cert.label} is not valid before ${leaf.cert.notBefore.toISOString()}`) }));
    const caGone = new Date(shortCa.cert.notAfter.getTime() + 1000);
    expect(caGone.getTime()).toBeLessThan(underShortCa.cert.notAfter.getTime());
    expect(() => buildDesiredState({ chainPem: pemOf(underShortCa, shortCa), privateKeyPem: underShortCa.keyPem }, nginx, caGone)).toThrow(
      expect.objectContaining({
        code: "chain-certificate-expired",
        message: expect.stringMatching(/^Position 2 of the chain, Short CA \[[0-9a-f]+\], expired on .*\. Give its current version/),
      }),
    );
    expect(buildDesiredState({ chainPem: pemOf(leaf, ca), privateKeyPem: leaf.keyPem }, nginx, new Date()).chain).toHaveLength(2);
  });

  it("refuses, before anything is written, a key of another certificate, a root in the chain, a wrong order and a PFX without password", () => {
    const nginx = planFiles({ preset: "nginx" });
    expect(() => buildDesiredState({ chainPem: pemOf(leaf, ca), privateKeyPem: stranger.keyPem }, nginx)).toThrow(expect.objectContaining({ code: "key-mismatch" }));
    expect(() => buildDesiredState({ chainPem: pemOf(leaf, ca, root), privateKeyPem: leaf.keyPem }, nginx)).toThrow(expect.objectContaining({ code: "anchor-in-chain" }));
    expect(() => buildDesiredState({ chainPem: pemOf(ca, leaf), privateKeyPem: leaf.keyPem }, nginx)).toThrow(expect.objectContaining({ code: "chain-out-of-order" }));
    const pfxPlan = planFiles({ preset: "custom", files: { pfx: { path: "/opt/app/site.pfx" } } });
    expect(() => buildDesiredState({ chainPem: pemOf(leaf, ca), privateKeyPem: leaf.keyPem }, pfxPlan)).toThrow(expect.objectContaining({ code: "pfx-password-required" }));
  });
});
