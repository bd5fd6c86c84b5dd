import { beforeAll, describe, expect, it } from "vitest";
import { ChainBuildError } from "../../../chain/errors";
import { CertPath, enumeratePaths, searchPaths } from "../../../chain/paths";
import { Pki } from "../../../harness/pki";
import { choosePath } from "../../../chain/policy";
import { certsOf, decoys, letsEncrypt, profileOf, sectigo, shuffled } from "../../../harness/scenarios";

const labels = (paths: CertPath[]) => paths.map((p) => [...p.chain.map((c) => c.commonName), `(${p.anchor.commonName})`].join(" > "));
const keys = (paths: CertPath[]) => paths.map((p) => [...p.chain, p.anchor].map((c) => c.sha256).join(">"));

function buildError(fn: () => unknown): ChainBuildError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChainBuildError) return e;
    throw e;
  }
  throw new Error("expected a ChainBuildError");
}

describe("path enumeration", () => {
  let s: Awaited<ReturnType<typeof sectigo>>;
  beforeAll(async () => {
    s = await sectigo();
  });

  it("finds every path through the cross-signs, each cross-sign a distinct certificate", () => {
    const anchors = certsOf(s.r46, s.usertrustRsa, s.aaa);
    const paths = enumeratePaths(s.leaf.cert, certsOf(...s.rsaPool), { at: s.at, anchors });
    expect(labels(paths)).toEqual([
      "example.test > Sectigo Public Server Authentication CA DV R36 > (Sectigo Public Server Authentication Root R46)",
      "example.test > Sectigo Public Server Authentication CA DV R36 > Sectigo Public Server Authentication Root R46 > (USERTrust RSA Certification Authority)",
      "example.test > Sectigo Public Server Authentication CA DV R36 > Sectigo Public Server Authentication Root R46 > USERTrust RSA Certification Authority > (AAA Certificate Services)",
    ]);
    // The R46 served in the longer paths is the cross-signed one, never the self-signed anchor.
    expect(paths[1].chain[2].sha256).toBe(s.r46ByUsertrust.cert.sha256);
    expect(paths[0].anchor.sha256).toBe(s.r46.cert.sha256);
    expect(paths[2].chain[3].sha256).toBe(s.usertrustRsaByAaa.cert.sha256);
  });

  it("gives the same paths and dead ends whatever the order of the pool", () => {
    const pool = certsOf(...s.rsaPool, s.eccLeaf, s.e36, s.e46ByUsertrust, s.usertrustEccByAaa);
    const anchors = certsOf(s.aaa, s.r46);
    const reference = searchPaths(s.leaf.cert, pool, { at: s.at, anchors });
    for (const seed of [1, 7, 42, 1234, 99991]) {
      const again = searchPaths(s.leaf.cert, shuffled(pool, seed), { at: s.at, anchors: shuffled(anchors, seed) });
      expect(keys(again.paths)).toEqual(keys(reference.paths));
      expect(again.deadEnds).toEqual(reference.deadEnds);
    }
  });

  it("treats a self-signed pool certificate that no one trusts as a dead end, and says so", () => {
    const search = searchPaths(s.leaf.cert, certsOf(...s.rsaPool), { at: s.at, anchors: certsOf(s.aaa) });
    expect(labels(search.paths)).toHaveLength(1);
    expect(search.paths[0].anchor.sha256).toBe(s.aaa.cert.sha256);
    expect(search.deadEnds.join("\n")).toContain(`${s.r46.cert.label}: self-signed and not a trust anchor`);
  });

  it("names the missing intermediate when the pool lacks it", () => {
    const error = buildError(() => enumeratePaths(s.leaf.cert, certsOf(s.r46ByUsertrust), { at: s.at, anchors: certsOf(s.r46) }));
    expect(error.code).toBe("no-valid-path");
    expect(error.message).toContain(`${s.leaf.cert.label}: issuer 'Sectigo Public Server Authentication CA DV R36' not in pool or anchors`);
    expect(error.message).toContain("Add the missing intermediate");
  });

  it("ends no path at an expired root: DST Root CA X3 after 2021-09-30", async () => {
    const le = await letsEncrypt();
    const anchors = certsOf(le.x1, le.dst);
    const before = enumeratePaths(le.leaf.cert, certsOf(...le.pool), { at: le.beforeDstExpiry, anchors });
    expect(labels(before)).toEqual(["le.example.test > R3 > (ISRG Root X1)", "le.example.test > R3 > ISRG Root X1 > (DST Root CA X3)"]);
    const after = searchPaths(le.leaf.cert, certsOf(...le.pool), { at: le.afterDstExpiry, anchors });
    expect(labels(after.paths)).toEqual(["le.example.test > R3 > (ISRG Root X1)"]);
    expect(after.deadEnds).toContain(`${le.x1ByDst.cert.label}: anchor ${le.dst.cert.label} expired on 2021-09-30 [expired]`);
  });

  it("keeps same-key intermediates apart (Let's Encrypt Authority X3 by ISRG and by DST)", async () => {
    const le = await letsEncrypt();
    const at = new Date("2021-02-01T00:00:00Z");
    const paths = enumeratePaths(le.x3Leaf.cert, certsOf(le.x3ByX1, le.x3ByDst, le.x1ByDst, le.r3), { at, anchors: certsOf(le.x1, le.dst) });
    expect(paths.map((p) => p.chain[1].sha256).sort()).toEqual([le.x3ByX1.cert.sha256, le.x3ByX1.cert.sha256, le.x3ByDst.cert.sha256].sort());
    expect(labels(paths)).toContain("x3.example.test > Let's Encrypt Authority X3 > ISRG Root X1 > (DST Root CA X3)");
    expect(paths.every((p) => !p.chain.some((c) => c.sha256 === le.r3.cert.sha256))).toBe(true);
  });

  it("skips an expired intermediate for its renewed twin and says why", async () => {
    const pki = new Pki();
    const root = await pki.root("Renew Root");
    const expired = await pki.intermediate("Renew CA", root, { notBefore: new Date("2020-01-01"), notAfter: new Date("2021-01-01") });
    const renewed = await pki.crossSign(expired, root);
    const leaf = await pki.leaf("renew.test", expired);
    const search = searchPaths(leaf.cert, certsOf(expired, renewed), { at: pki.now, anchors: certsOf(root) });
    expect(search.paths.map((p) => p.chain[1].sha256)).toEqual([renewed.cert.sha256]);
    expect(search.deadEnds).toContain(`${leaf.cert.label}: candidate issuer ${expired.cert.label} expired on 2021-01-01 [expired]`);
  });

  it("ends a signing cycle: loops are cut by subject and key", async () => {
    const pki = new Pki();
    const a = await pki.root("Cycle A");
    const b = await pki.root("Cycle B");
    const aByB = await pki.crossSign(a, b);
    const bByA = await pki.crossSign(b, a);
    const leaf = await pki.leaf("cycle.test", a);
    const other = await pki.root("Unrelated Root");
    const error = buildError(() => enumeratePaths(leaf.cert, certsOf(aByB, bByA), { at: pki.now, anchors: certsOf(other) }));
    expect(error.message).toContain("is already on the path (same subject and key: a loop)");
    const paths = enumeratePaths(leaf.cert, certsOf(aByB, bByA), { at: pki.now, anchors: certsOf(b) });
    expect(labels(paths)).toEqual(["cycle.test > Cycle A > (Cycle B)"]);
  });

  it("checks CA, keyCertSign and pathLen on intermediates", async () => {
    const pki = new Pki();
    const root = await pki.root("Constraint Root");
    const tight = await pki.intermediate("Tight CA", root, { pathLen: 0 });
    const below = await pki.intermediate("Below CA", tight);
    const notCa = await pki.intermediate("Not A CA", root, { ca: false });
    const noSign = await pki.intermediate("No Sign CA", root, { keyUsage: ["digitalSignature"] });
    for (const [ca, why] of [
      [below, "allows 0 intermediates below it (pathLen) but 1 would be"],
      [notCa, "is not a CA (basicConstraints)"],
      [noSign, "may not sign certificates (key usage lacks keyCertSign)"],
    ] as const) {
      const leaf = await pki.leaf(`${ca.name}.test`, ca);
      const search = searchPaths(leaf.cert, certsOf(tight, below, notCa, noSign), { at: pki.now, anchors: certsOf(root) });
      expect(search.paths).toEqual([]);
      expect(search.deadEnds.join("\n")).toContain(why);
    }
  });

  it("verifies RSA-PSS, Ed25519 and P-384 signatures along a path, and builds without AKI/SKI", async () => {
    const pki = new Pki();
    const root = await pki.root("Mixed Root", { keyType: "rsa-pss", omitKeyIds: true });
    const mid = await pki.intermediate("Mixed Ed25519 CA", root, { keyType: "ed25519", omitKeyIds: true });
    const low = await pki.intermediate("Mixed P-384 CA", mid, { keyType: "ec-p384", omitKeyIds: true });
    const leaf = await pki.leaf("mixed.test", low, { omitKeyIds: true });
    const paths = enumeratePaths(leaf.cert, certsOf(low, mid), { at: pki.now, anchors: certsOf(root) });
    expect(labels(paths)).toEqual(["mixed.test > Mixed P-384 CA > Mixed Ed25519 CA > (Mixed Root)"]);
  });

  it("refuses a self-signed leaf unless it is itself an anchor", async () => {
    const pki = new Pki();
    const self = await pki.selfSignedLeaf("self.test");
    const error = buildError(() => enumeratePaths(self.cert, [], { at: pki.now, anchors: certsOf(s.aaa) }));
    expect(error.message).toContain(`${self.cert.label}: self-signed and not a trust anchor`);
    expect(enumeratePaths(self.cert, [], { at: pki.now, anchors: certsOf(self) })).toEqual([{ chain: [self.cert], anchor: self.cert }]);
  });

  it("reports a leaf that is expired or not yet valid", async () => {
    const pki = new Pki();
    const root = await pki.root("Time Root");
    const leaf = await pki.leaf("time.test", root, { notBefore: new Date("2030-01-01"), notAfter: new Date("2031-01-01") });
    const error = buildError(() => enumeratePaths(leaf.cert, [], { at: pki.now, anchors: certsOf(root) }));
    expect(error.message).toContain(`${leaf.cert.label}: the leaf is not valid before 2030-01-01`);
  });

  it("ignores 200 same-named decoys with wrong keys, lists them briefly, and stays within budget", async () => {
    const many = await decoys(s.pki, "Sectigo Public Server Authentication CA DV R36", s.r46, 200);
    const anchors = certsOf(s.r46, s.usertrustRsa, s.aaa);
    const clean = enumeratePaths(s.leaf.cert, certsOf(...s.rsaPool), { at: s.at, anchors });
    const noisy = enumeratePaths(s.leaf.cert, [...certsOf(...many), ...certsOf(...s.rsaPool)], { at: s.at, anchors });
    expect(keys(noisy)).toEqual(keys(clean));
    const missing = buildError(() => enumeratePaths(s.leaf.cert, certsOf(...many), { at: s.at, anchors }));
    expect(missing.message).toContain("does not verify the signature (same name, different key)");
    expect(missing.message).toMatch(/and 18\d more dead ends/);
  }, 60_000);

  it("ends a pathological search with budget-exceeded naming the leaf", async () => {
    const many = await decoys(s.pki, "Sectigo Public Server Authentication CA DV R36", s.r46, 30);
    const error = buildError(() =>
      enumeratePaths(s.leaf.cert, certsOf(...many, ...s.rsaPool), { at: s.at, anchors: certsOf(s.aaa), budget: { signatureChecks: 20 } }),
    );
    expect(error.code).toBe("budget-exceeded");
    expect(error.message).toContain(`Path building for ${s.leaf.cert.label} gave up after 20 signature checks`);
    const calls = buildError(() => enumeratePaths(s.leaf.cert, certsOf(...s.rsaPool), { at: s.at, anchors: certsOf(s.aaa), budget: { buildCalls: 2 } }));
    expect(calls.message).toContain("gave up after 2 build steps");
  }, 60_000);

  it("finds the 2-certificate path through a full cross-sign mesh of 8 CAs, within the budget, shortest first", async () => {
    const pki = new Pki();
    const cas = [];
    for (let i = 0; i < 8; i++) cas.push(await pki.root(`Mesh CA ${i}`));
    const pool = [...cas];
    for (const subject of cas) for (const by of cas) if (subject !== by) pool.push(await pki.crossSign(subject, by));
    const anchor = await pki.root("Mesh Anchor");
    const bridge = await pki.crossSign(cas[0], anchor);
    const leaf = await pki.leaf("mesh.test", cas[0]);
    const search = searchPaths(leaf.cert, certsOf(...pool, bridge), { at: pki.now, anchors: certsOf(anchor) });
    expect(search.paths[0].chain.map((c) => c.sha256)).toEqual([leaf.cert.sha256, bridge.cert.sha256]);
    expect(search.paths.every((p, i) => i === 0 || p.chain.length >= search.paths[i - 1].chain.length)).toBe(true);
    // The budget ended the search among long paths: it says so, and every shorter path was kept.
    expect(search.incomplete).toMatch(/^the budget \(10000 signature checks\) ran out while looking at paths of \d+ certificates/);
    const choice = choosePath(leaf.cert, certsOf(...pool, bridge), { profiles: [profileOf("mesh", anchor)], at: pki.now, policy: "shortest" });
    expect(choice.chain).toHaveLength(2);
    expect(choice.incomplete).toBe(search.incomplete);
    // Without the bridge no path exists, and only then does the budget end the search with an error.
    const none = buildError(() => enumeratePaths(leaf.cert, certsOf(...pool), { at: pki.now, anchors: certsOf(anchor) }));
    expect(none.code).toBe("budget-exceeded");
  }, 60_000);

  it("bounds name-constraint comparisons per search (x509-limbo's nc-dos shape)", async () => {
    const pki = new Pki();
    const root = await pki.root("Comparisons Root");
    const ca = await pki.intermediate("Comparisons CA", root, { nameConstraints: { permitted: Array.from({ length: 600 }, (_, i) => ({ dns: `n${i}.example.com` })) } });
    const leaf = await pki.leaf("many.test", ca, { altNames: Array.from({ length: 600 }, (_, i) => ({ dns: `h.n${i}.example.com` })) });
    const error = buildError(() => enumeratePaths(leaf.cert, certsOf(ca), { at: pki.now, anchors: certsOf(root) }));
    expect(error.code).toBe("budget-exceeded");
    expect(error.message).toContain("gave up after 250000 name-constraint comparisons");
    expect(enumeratePaths(leaf.cert, certsOf(ca), { at: pki.now, anchors: certsOf(root), budget: { nameComparisons: 400_000 } })).toHaveLength(1);
  });
});

