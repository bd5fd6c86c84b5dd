/**
 * The field's chain scenarios, built with the PKI builder (harness/pki.ts):
 * Sectigo R46/E46 cross-signed by USERTrust, USERTrust cross-signed by AAA Certificate
 * Services; Let's Encrypt ISRG Root X1 cross-signed by DST Root CA X3 (expired on
 * 2021-09-30) and the same-key "Let's Encrypt Authority X3" pair; plus small makers for
 * expired alternatives, cycles and decoys. Dates follow the real hierarchies.
 */
import { Certificate } from "../chain/certificate";
import { ClientProfile } from "../chain/profiles";
import { CertOptions, Issued, Pki, pemOf } from "./pki";

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** A synthetic client profile trusting the given roots. */
export function profileOf(name: string, ...roots: Issued[]): ClientProfile {
  return { name, description: `test profile ${name}`, roots: roots.map((r) => r.cert) };
}

export function certsOf(...issued: Issued[]): Certificate[] {
  return issued.map((i) => i.cert);
}

/** A deterministic shuffle (xorshift), so a failing order can be replayed from its seed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = Math.abs(s) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The cross-signed shape of the deployment and probe tests, valid now (real clients check the
 * clock): an old root, a new root cross-signed by it (same subject and key), an intermediate
 * under the new root, a leaf for `site` and a second leaf with another key. Legacy clients
 * (the old root only) need the cross-sign; the short chain is what servers send before.
 */
export async function crossSignedSite(site = "shop.example.test") {
  const pki = new Pki();
  const oldRoot = await pki.root("AAA Certificate Services", { keyType: "rsa" });
  const newRoot = await pki.root("Sectigo Public Server Authentication Root R46");
  const newRootByOld = await pki.crossSign(newRoot, oldRoot);
  const intermediate = await pki.intermediate("Sectigo Public Server Authentication CA DV R36", newRoot);
  const leaf = await pki.leaf(site, intermediate);
  const otherLeaf = await pki.leaf("other.example.test", intermediate);
  return {
    pki,
    site,
    oldRoot,
    newRoot,
    newRootByOld,
    intermediate,
    leaf,
    otherLeaf,
    /** What the server must send for legacy clients: leaf, intermediate, cross-signed new root. */
    desiredChainPem: pemOf(leaf, intermediate, newRootByOld),
    /** What the server sends before the deployment: leaf and intermediate only. */
    shortChainPem: pemOf(leaf, intermediate),
  };
}
export type CrossSignedSite = Awaited<ReturnType<typeof crossSignedSite>>;

/** Sectigo's RSA and ECC hierarchies as served in 2026, with the three client generations. */
export async function sectigo(pki = new Pki({ now: d("2026-06-01") })) {
  const aaa = await pki.root("AAA Certificate Services", { keyType: "rsa", subjectSuffix: "O=Comodo CA Limited, C=GB", notBefore: d("2004-01-01"), notAfter: d("2028-12-31") });
  const usertrustRsa = await pki.root("USERTrust RSA Certification Authority", { keyType: "rsa", subjectSuffix: "O=The USERTRUST Network, C=US", notBefore: d("2010-02-01"), notAfter: d("2038-01-18") });
  const usertrustRsaByAaa = await pki.crossSign(usertrustRsa, aaa, { notBefore: d("2019-03-12"), notAfter: d("2028-12-31") });
  const r46 = await pki.root("Sectigo Public Server Authentication Root R46", { keyType: "rsa", subjectSuffix: "O=Sectigo Limited, C=GB", notBefore: d("2021-03-22"), notAfter: d("2046-03-21") });
  const r46ByUsertrust = await pki.crossSign(r46, usertrustRsa, { notBefore: d("2021-03-22"), notAfter: d("2038-01-18") });
  const r36 = await pki.intermediate("Sectigo Public Server Authentication CA DV R36", r46, { pathLen: 0, notBefore: d("2021-03-22"), notAfter: d("2036-03-21") });
  const leaf = await pki.leaf("example.test", r36);

  const usertrustEcc = await pki.root("USERTrust ECC Certification Authority", { keyType: "ec-p384", subjectSuffix: "O=The USERTRUST Network, C=US", notBefore: d("2010-02-01"), notAfter: d("2038-01-18") });
  const usertrustEccByAaa = await pki.crossSign(usertrustEcc, aaa, { notBefore: d("2019-03-12"), notAfter: d("2028-12-31") });
  const e46 = await pki.root("Sectigo Public Server Authentication Root E46", { keyType: "ec-p384", subjectSuffix: "O=Sectigo Limited, C=GB", notBefore: d("2021-03-22"), notAfter: d("2046-03-21") });
  const e46ByUsertrust = await pki.crossSign(e46, usertrustEcc, { notBefore: d("2021-03-22"), notAfter: d("2038-01-18") });
  const e36 = await pki.intermediate("Sectigo Public Server Authentication CA DV E36", e46, { pathLen: 0, notBefore: d("2021-03-22"), notAfter: d("2036-03-21") });
  const eccLeaf = await pki.leaf("ecc.example.test", e36);

  const profiles = {
    /** A current store: the new roots and USERTrust. */
    modern: profileOf("modern", r46, e46, usertrustRsa, usertrustEcc),
    /** A store from before 2021: USERTrust and AAA. */
    older: profileOf("older", usertrustRsa, usertrustEcc, aaa),
    /** Android 4.4-like: only AAA Certificate Services. */
    legacy: profileOf("legacy", aaa),
  };
  return {
    pki, at: pki.now, profiles, aaa,
    usertrustRsa, usertrustRsaByAaa, r46, r46ByUsertrust, r36, leaf,
    usertrustEcc, usertrustEccByAaa, e46, e46ByUsertrust, e36, eccLeaf,
    /** What a CA bundle typically holds for the RSA leaf: every cross-sign and the self-signed R46 beside its cross-signed twin. */
    rsaPool: [r36, r46ByUsertrust, usertrustRsaByAaa, r46],
    eccPool: [e36, e46ByUsertrust, usertrustEccByAaa, e46],
  };
}

/** Let's Encrypt in 2021: ISRG Root X1 cross-signed by DST Root CA X3, which expired on 2021-09-30. */
export async function letsEncrypt(pki = new Pki({ now: d("2021-08-15") })) {
  const dst = await pki.root("DST Root CA X3", { keyType: "rsa", subjectSuffix: "O=Digital Signature Trust Co.", notBefore: d("2000-09-30"), notAfter: new Date("2021-09-30T14:01:15Z") });
  const x1 = await pki.root("ISRG Root X1", { keyType: "rsa", subjectSuffix: "O=Internet Security Research Group, C=US", notBefore: d("2015-06-04"), notAfter: d("2035-06-04") });
  const x1ByDst = await pki.crossSign(x1, dst, { notBefore: d("2021-01-20"), notAfter: d("2024-09-30") });
  const r3 = await pki.intermediate("R3", x1, { subjectSuffix: "O=Let's Encrypt, C=US", pathLen: 0, notBefore: d("2020-09-04"), notAfter: d("2025-09-15") });
  const leaf = await pki.leaf("le.example.test", r3, { notBefore: d("2021-07-20"), notAfter: d("2021-10-18") });
  // The same-key pair: Authority X3 signed by ISRG Root X1 and by DST Root CA X3.
  const x3ByX1 = await pki.intermediate("Let's Encrypt Authority X3", x1, { subjectSuffix: "O=Let's Encrypt, C=US", pathLen: 0, notBefore: d("2016-10-06"), notAfter: d("2021-10-06") });
  const x3ByDst = await pki.crossSign(x3ByX1, dst, { notBefore: d("2016-03-17"), notAfter: d("2021-03-17") });
  const x3Leaf = await pki.leaf("x3.example.test", x3ByX1, { notBefore: d("2021-01-01"), notAfter: d("2021-03-01") });
  const profiles = {
    modern: profileOf("modern", x1),
    /** An old Android or OpenSSL 1.0 client: DST Root CA X3 only. */
    legacy: profileOf("legacy", dst),
  };
  return {
    pki, profiles, dst, x1, x1ByDst, r3, leaf, x3ByX1, x3ByDst, x3Leaf,
    beforeDstExpiry: d("2021-08-15"),
    afterDstExpiry: d("2021-10-05"),
    pool: [r3, x1ByDst],
  };
}

/** `count` CA certificates named `cn`, claiming `claimedIssuer`, each with its own key: right names, wrong signatures. */
export async function decoys(pki: Pki, cn: string, claimedIssuer: Issued, count: number, options: CertOptions = {}): Promise<Issued[]> {
  const out: Issued[] = [];
  for (let i = 0; i < count; i++) out.push(await pki.decoy(cn, claimedIssuer, options));
  return out;
}
