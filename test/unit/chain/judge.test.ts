import { beforeAll, describe, expect, it } from "vitest";
import { Certificate } from "../../../chain/certificate";
import { behaviour } from "../../../chain/client-behaviour";
import { Judgement, judgeServed } from "../../../chain/judge";
import { Pki } from "../../../harness/pki";
import { certsOf, sectigo } from "../../../harness/scenarios";
import { servedDifference } from "../../support/served-difference";

const codes = (j: Judgement) => j.findings.map((f) => [f.code, f.position ?? null]);
const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1) + ".";
const trusted = (j: Judgement) => Object.fromEntries(j.profiles.map((v) => [v.profile, v.trusted]));

describe("judging a served chain", () => {
  let s: Awaited<ReturnType<typeof sectigo>>;
  let desired: Certificate[];
  let judge: (served: Certificate[], extra?: Partial<Parameters<typeof judgeServed>[1]>) => Judgement;
  beforeAll(async () => {
    s = await sectigo();
    desired = certsOf(s.leaf, s.r36, s.r46ByUsertrust, s.usertrustRsaByAaa);
    judge = (served, extra = {}) => judgeServed(served, { desired, profiles: Object.values(s.profiles), at: s.at, ...extra });
  });

  it("passes the desired chain with no findings, trusted by every profile", () => {
    const j = judge(desired);
    expect(j.findings).toEqual([]);
    expect(j.ok).toBe(true);
    expect(j.matchesDesired).toBe(true);
    expect(trusted(j)).toEqual({ modern: true, older: true, legacy: true });
    expect(j.profiles[2].reason).toContain(`to root ${s.aaa.cert.label}`);
  });

  it("flags the self-signed R46 served where the cross-signed R46 is desired: right subject, wrong certificate", () => {
    const j = judge(certsOf(s.leaf, s.r36, s.r46));
    expect(codes(j)).toEqual([
      ["contains-anchor", 2],
      ["wrong-certificate-same-subject", 2],
      ["differs-from-desired", null],
    ]);
    const wrong = j.findings.find((f) => f.code === "wrong-certificate-same-subject")!;
    expect(wrong.message).toContain(`${s.r46.cert.label} (self-signed) where ${s.r46ByUsertrust.cert.label} (issued by USERTrust RSA Certification Authority) is desired`);
    // The rest of the difference in the comparison's words (chain/served-comparison-text.ts).
    expect(j.findings.find((f) => f.code === "differs-from-desired")!.message).toBe(sentence(servedDifference(desired, certsOf(s.leaf, s.r36, s.r46))));
    expect(trusted(j)).toEqual({ modern: true, older: false, legacy: false });
    expect(j.ok).toBe(false);
  });

  it("reports a missing intermediate as an incomplete chain, untrusted everywhere", () => {
    const j = judgeServed(certsOf(s.leaf), { profiles: Object.values(s.profiles), at: s.at });
    expect(codes(j)).toEqual([["incomplete-chain", 0]]);
    expect(j.findings[0].message).toContain("'Sectigo Public Server Authentication CA DV R36', was not sent");
    expect(trusted(j)).toEqual({ modern: false, older: false, legacy: false });
    expect(j.matchesDesired).toBeUndefined();
  });

  it("reports the wrong order, and clients that build paths still accept it", () => {
    const j = judge(certsOf(s.leaf, s.usertrustRsaByAaa, s.r36, s.r46ByUsertrust));
    expect(codes(j).map(([code]) => code)).toEqual(["wrong-order", "differs-from-desired"]);
    expect(j.findings[0].message).toContain("(position 2) -> ");
    expect(trusted(j)).toEqual({ modern: true, older: true, legacy: true });
  });

  it("reports extra and duplicate certificates", async () => {
    const stray = await s.pki.intermediate("Unrelated CA", s.aaa);
    const j = judgeServed(certsOf(s.leaf, s.r36, s.r36, stray), { profiles: Object.values(s.profiles), at: s.at });
    expect(codes(j)).toEqual([
      ["duplicate-certificate", 2],
      ["extra-certificate", 3],
    ]);
    expect(j.findings[0].message).toContain("(first at position 1)");
  });

  it("reports expired, not-yet-valid, soon-expiring and SHA-1 members", async () => {
    const pki = new Pki({ now: s.at });
    const root = await pki.root("Member Root", { keyType: "rsa" });
    const old = await pki.intermediate("Old CA", root, { notBefore: new Date("2020-01-01"), notAfter: new Date("2025-01-01") });
    const future = await pki.intermediate("Future CA", root, { notBefore: new Date("2030-01-01") });
    const weak = await pki.intermediate("Weak CA", root, { signatureHash: "SHA-1" });
    const soon = await pki.leaf("soon.test", weak, { notAfter: new Date(s.at.getTime() + 10 * 86_400_000) });
    const j = judgeServed([soon.cert, weak.cert, old.cert, future.cert], { profiles: [], at: s.at });
    expect(codes(j)).toEqual([
      ["extra-certificate", 2],
      ["extra-certificate", 3],
      ["expires-soon", 0],
      ["sha1-signature", 1],
      ["expired", 2],
      ["not-yet-valid", 3],
    ]);
    expect(j.findings.find((f) => f.code === "expires-soon")!.message).toContain("expires in 10 days");
    expect(judgeServed([soon.cert, weak.cert], { profiles: [], at: s.at, expiryWarningDays: 5 }).findings.map((f) => f.code)).toEqual(["sha1-signature"]);
  });

  it("reports a CA served as the leaf and a self-signed leaf", async () => {
    expect(codes(judge(certsOf(s.r36, s.r46ByUsertrust, s.usertrustRsaByAaa)))[0]).toEqual(["leaf-is-ca", 0]);
    const self = await new Pki({ now: s.at }).selfSignedLeaf("self.test");
    const j = judgeServed([self.cert], { profiles: Object.values(s.profiles), at: s.at });
    expect(codes(j)).toEqual([["self-signed-leaf", 0]]);
    expect(Object.values(trusted(j))).toEqual([false, false, false]);
  });

  it("says how the served chain differs from the desired chain, once, in the comparison's words", () => {
    const longer = certsOf(s.leaf, s.r36, s.r46ByUsertrust, s.usertrustRsaByAaa, s.r46ByUsertrust);
    const j = judge(longer);
    expect(codes(j)).toEqual([
      ["duplicate-certificate", 4],
      ["differs-from-desired", null],
    ]);
    expect(j.findings[1].message).toBe(sentence(servedDifference(desired, longer)));
    const short = judge(certsOf(s.leaf, s.r36));
    expect(short.findings.filter((f) => f.code === "differs-from-desired").map((f) => f.message)).toEqual([sentence(servedDifference(desired, certsOf(s.leaf, s.r36)))]);
  });

  it("reports an empty chain", () => {
    expect(codes(judgeServed([], { profiles: [] }))).toEqual([["empty-chain", null]]);
  });
});

describe("judging with client behaviours", () => {
  it("an AIA-fetching client completes a missing intermediate from the desired chain; the others do not", async () => {
    const s = await sectigo();
    const leaf = await s.pki.leaf("aia-judge.test", s.r36, { caIssuersUrl: "http://crt.example.test/r36.crt" });
    const profiles = [
      { name: "windows-like", description: "test", roots: [s.r46.cert], behaviour: behaviour("windows") },
      { name: "curl-like", description: "test", roots: [s.r46.cert] },
    ];
    const j = judgeServed([leaf.cert], { desired: certsOf(leaf, s.r36), profiles, at: s.at });
    expect(j.profiles.map((v) => [v.profile, v.trusted, v.decidedBy])).toEqual([
      ["windows-like", true, "aia-fetching"],
      ["curl-like", false, "no-aia-fetching"],
    ]);
  });
});
