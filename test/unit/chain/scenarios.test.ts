/**
 * The field's scenarios, one row each: the chain every policy chooses, and whether `widest`
 * reaches the legacy client (it must exactly when some path through the cross-signs does).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Certificate } from "../../../chain/certificate";
import { ChainBuildError, ChainsmithInputError } from "../../../chain/errors";
import { ChainChoice, choosePath } from "../../../chain/policy";
import { ClientProfile } from "../../../chain/profiles";
import { Issued, Pki } from "../../../harness/pki";
import { certsOf, decoys, letsEncrypt, profileOf, sectigo, shuffled } from "../../../harness/scenarios";

interface Row {
  name: string;
  leaf: Issued;
  pool: Issued[];
  profiles: ClientProfile[];
  at: Date;
  /** Chosen chain per policy spec, as certificates; or the error code every policy ends in. */
  expect: Record<string, Issued[]> | { error: string };
  /** Whether any valid path reaches the profile named "legacy". */
  legacyReachable: boolean;
}

const ids = (chain: Certificate[]) => chain.map((c) => c.sha256);
const named = (chain: Certificate[]) => chain.map((c) => c.label).join(" > ");

function choose(row: Row, policy: string, pool = certsOf(...row.pool)): ChainChoice {
  return choosePath(row.leaf.cert, pool, { profiles: row.profiles, at: row.at, policy });
}

/** The choice, or the code of the chainsmith error it ended in. */
function attempt(row: Row, policy: string): ChainChoice | string {
  try {
    return choose(row, policy);
  } catch (e) {
    if (e instanceof ChainBuildError || e instanceof ChainsmithInputError) return e.code;
    throw e;
  }
}

describe("field scenarios", () => {
  const rows: Row[] = [];
  beforeAll(async () => {
    const s = await sectigo();
    const all = Object.values(s.profiles);
    rows.push({
      name: "Sectigo RSA: R46 cross-signed by USERTrust, USERTrust by AAA, self-signed R46 beside the cross-sign",
      leaf: s.leaf, pool: s.rsaPool, profiles: all, at: s.at, legacyReachable: true,
      expect: {
        widest: [s.leaf, s.r36, s.r46ByUsertrust, s.usertrustRsaByAaa],
        shortest: [s.leaf, s.r36],
        "anchor=USERTrust RSA Certification Authority": [s.leaf, s.r36, s.r46ByUsertrust],
        [`anchor=${s.aaa.cert.sha256}`]: [s.leaf, s.r36, s.r46ByUsertrust, s.usertrustRsaByAaa],
        "issuer=USERTrust RSA Certification Authority": [s.leaf, s.r36, s.r46ByUsertrust],
        "issuer=Sectigo Public Server Authentication Root R46": [s.leaf, s.r36],
      },
    });
    rows.push({
      name: "Sectigo ECC: E46 cross-signed by USERTrust ECC, USERTrust ECC by AAA",
      leaf: s.eccLeaf, pool: s.eccPool, profiles: all, at: s.at, legacyReachable: true,
      expect: {
        widest: [s.eccLeaf, s.e36, s.e46ByUsertrust, s.usertrustEccByAaa],
        shortest: [s.eccLeaf, s.e36],
        "anchor=Root E46": [s.eccLeaf, s.e36],
        "issuer=AAA Certificate Services": [s.eccLeaf, s.e36, s.e46ByUsertrust, s.usertrustEccByAaa],
      },
    });
    rows.push({
      name: "Sectigo RSA without the AAA cross-sign: the legacy client is out of reach",
      leaf: s.leaf, pool: [s.r36, s.r46ByUsertrust, s.r46], profiles: all, at: s.at, legacyReachable: false,
      expect: { widest: [s.leaf, s.r36, s.r46ByUsertrust], shortest: [s.leaf, s.r36], "issuer=AAA Certificate Services": [s.leaf, s.r36, s.r46ByUsertrust] },
    });
    const stray = await s.pki.intermediate("Unrelated CA", s.aaa);
    const strayLeaf = await s.pki.leaf("other.test", stray);
    rows.push({
      name: "Extras and the wrong order in the bundle change nothing",
      leaf: s.leaf, pool: [strayLeaf, s.usertrustRsaByAaa, stray, s.r46, s.r46ByUsertrust, s.e36, s.r36], profiles: all, at: s.at, legacyReachable: true,
      expect: { widest: [s.leaf, s.r36, s.r46ByUsertrust, s.usertrustRsaByAaa], shortest: [s.leaf, s.r36] },
    });
    const r36Expired = await s.pki.crossSign(s.r36, s.r46, { notBefore: new Date("2020-01-01"), notAfter: new Date("2021-01-01") });
    rows.push({
      name: "An expired copy of R36 (same key) beside the valid one",
      leaf: s.leaf, pool: [r36Expired, ...s.rsaPool], profiles: all, at: s.at, legacyReachable: true,
      expect: { widest: [s.leaf, s.r36, s.r46ByUsertrust, s.usertrustRsaByAaa], shortest: [s.leaf, s.r36] },
    });
    rows.push({
      name: "Missing intermediate: R36 is not in the pool",
      leaf: s.leaf, pool: [s.r46ByUsertrust, s.usertrustRsaByAaa], profiles: all, at: s.at, legacyReachable: false,
      expect: { error: "no-valid-path" },
    });
    const self = await s.pki.selfSignedLeaf("self.test");
    rows.push({ name: "Self-signed leaf", leaf: self, pool: s.rsaPool, profiles: all, at: s.at, legacyReachable: false, expect: { error: "no-valid-path" } });
    rows.push({ name: "CA certificate given as the leaf", leaf: s.r36, pool: s.rsaPool, profiles: all, at: s.at, legacyReachable: false, expect: { error: "leaf-is-ca" } });

    const le = await letsEncrypt();
    const leProfiles = Object.values(le.profiles);
    rows.push({
      name: "Let's Encrypt before 2021-09-30: ISRG Root X1 cross-signed by DST Root CA X3 reaches old clients",
      leaf: le.leaf, pool: le.pool, profiles: leProfiles, at: le.beforeDstExpiry, legacyReachable: true,
      expect: { widest: [le.leaf, le.r3, le.x1ByDst], shortest: [le.leaf, le.r3], "issuer=DST Root CA X3": [le.leaf, le.r3, le.x1ByDst], "issuer=ISRG Root X1": [le.leaf, le.r3], "anchor=ISRG Root X1": [le.leaf, le.r3] },
    });
    rows.push({
      name: "Let's Encrypt after DST Root CA X3 expired: the cross-sign leads nowhere",
      leaf: le.leaf, pool: le.pool, profiles: leProfiles, at: le.afterDstExpiry, legacyReachable: false,
      expect: { widest: [le.leaf, le.r3], shortest: [le.leaf, le.r3], "issuer=DST Root CA X3": [le.leaf, le.r3] },
    });
    rows.push({
      name: "Let's Encrypt Authority X3: two intermediates with one key, by ISRG Root X1 and by DST Root CA X3",
      leaf: le.x3Leaf, pool: [le.x3ByX1, le.x3ByDst, le.x1ByDst], profiles: leProfiles, at: new Date("2021-02-01T00:00:00Z"), legacyReachable: true,
      // shortest: two 2-certificate paths, one profile each; the older anchor (DST, 2000) wins.
      expect: { widest: [le.x3Leaf, le.x3ByX1, le.x1ByDst], shortest: [le.x3Leaf, le.x3ByDst], "anchor=ISRG Root X1": [le.x3Leaf, le.x3ByX1] },
    });

    const pki = new Pki();
    const a = await pki.root("Cycle A");
    const b = await pki.root("Cycle B");
    const aByB = await pki.crossSign(a, b);
    const bByA = await pki.crossSign(b, a);
    const cycleLeaf = await pki.leaf("cycle.test", a);
    rows.push({
      name: "A signing cycle: A cross-signed by B and B by A",
      leaf: cycleLeaf, pool: [aByB, bByA], profiles: [profileOf("modern", a), profileOf("legacy", b)], at: pki.now, legacyReachable: true,
      expect: { widest: [cycleLeaf, aByB], shortest: [cycleLeaf], "anchor=Cycle B": [cycleLeaf, aByB] },
    });

    const many = await decoys(s.pki, "Sectigo Public Server Authentication CA DV R36", s.r46, 1000);
    rows.push({
      name: "1,000 decoys named like R36 with wrong keys",
      leaf: s.leaf, pool: [...many, ...s.rsaPool], profiles: all, at: s.at, legacyReachable: true,
      expect: { widest: [s.leaf, s.r36, s.r46ByUsertrust, s.usertrustRsaByAaa], shortest: [s.leaf, s.r36] },
    });
  }, 120_000);

  it("chooses the expected chain for every policy, whatever the pool order", () => {
    expect(rows).toHaveLength(13);
    for (const row of rows) {
      if ("error" in row.expect) {
        for (const policy of ["widest", "shortest"]) {
          expect({ row: row.name, policy, code: attempt(row, policy) }).toEqual({ row: row.name, policy, code: row.expect.error });
        }
        continue;
      }
      for (const [policy, chain] of Object.entries(row.expect)) {
        const chosen = choose(row, policy);
        expect({ row: row.name, policy, chain: named(chosen.chain) }).toEqual({ row: row.name, policy, chain: named(certsOf(...chain)) });
        expect(ids(chosen.chain)).toEqual(ids(certsOf(...chain)));
        const again = choose(row, policy, shuffled(certsOf(...row.pool), row.name.length));
        expect(ids(again.chain)).toEqual(ids(chosen.chain));
      }
    }
  });

  it("widest reaches the legacy profile exactly when some valid path does", () => {
    for (const row of rows) {
      const widest = attempt(row, "widest");
      const anyReaches = typeof widest !== "string" && widest.candidates.some((c) => c.profiles.includes("legacy"));
      const chosenReaches = typeof widest !== "string" && widest.candidates[0].profiles.includes("legacy");
      expect({ row: row.name, anyReaches, chosenReaches }).toEqual({ row: row.name, anyReaches: row.legacyReachable, chosenReaches: row.legacyReachable });
    }
  });
});
