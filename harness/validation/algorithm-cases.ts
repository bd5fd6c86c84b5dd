// The signature and key policy (chain/algorithms.ts): weak and unsupported algorithms refused
// wherever they sign or are signed on the path, strong ones accepted.
import { Pki } from "../pki";
import { CaseInput, OPENSSL_NO_ALGORITHM_POLICY, linear, linearCase } from "./corpus";

const GO_ACCEPTS_SHORT_RSA = { verdict: "accept" as const, why: "Go verifies RSA keys from 1024 bits; the CA/Browser Forum requires 2048" };

export async function algorithmCases(pki: Pki): Promise<CaseInput[]> {
  const cases: Promise<CaseInput>[] = [
    linearCase(pki, { id: "alg::ecdsa-p256-sha256", about: "the baseline", expected: "accept" }),
    linearCase(pki, { id: "alg::rsa-2048-pkcs1", about: "RSA 2048, PKCS#1 v1.5 with SHA-256", expected: "accept", root: { keyType: "rsa" }, ca: { keyType: "rsa" }, leaf: { keyType: "rsa" } }),
    linearCase(pki, { id: "alg::rsa-pss-sha256", about: "RSASSA-PSS with SHA-256", expected: "accept", root: { keyType: "rsa-pss" }, ca: { keyType: "rsa-pss" } }),
    linearCase(pki, { id: "alg::p384-sha384", about: "P-384 keys, ECDSA with SHA-384", expected: "accept", root: { keyType: "ec-p384" }, ca: { keyType: "ec-p384" }, leaf: { keyType: "ec-p384" } }),
    linearCase(pki, { id: "alg::p521-sha512", about: "P-521 keys, ECDSA with SHA-512", expected: "accept", root: { keyType: "ec-p521" }, ca: { keyType: "ec-p521" }, leaf: { keyType: "ec-p521" } }),
    linearCase(pki, { id: "alg::ed25519", about: "Ed25519 throughout", expected: "accept", root: { keyType: "ed25519" }, ca: { keyType: "ed25519" }, leaf: { keyType: "ed25519" } }),
    linearCase(pki, { id: "alg::sha1-rsa-intermediate", about: "the intermediate is signed with sha1WithRSAEncryption", expected: "reject", code: "weak-signature", root: { keyType: "rsa" }, ca: { signatureHash: "SHA-1" }, differs: { openssl: OPENSSL_NO_ALGORITHM_POLICY } }),
    linearCase(pki, { id: "alg::sha1-ecdsa-leaf", about: "the leaf is signed with ecdsa-with-SHA1", expected: "reject", code: "weak-signature", leaf: { signatureHash: "SHA-1" }, differs: { openssl: OPENSSL_NO_ALGORITHM_POLICY } }),
    linearCase(pki, { id: "alg::md5-rsa-leaf", about: "the leaf is signed with md5WithRSAEncryption", expected: "reject", code: "weak-signature", ca: { keyType: "rsa" }, leaf: { signatureHash: "MD5" }, differs: { openssl: OPENSSL_NO_ALGORITHM_POLICY } }),
    linearCase(pki, { id: "alg::sha224-leaf", about: "ECDSA with SHA-224 is outside the Web PKI", expected: "reject", code: "unsupported-signature", leaf: { signatureHash: "SHA-224" }, differs: { openssl: OPENSSL_NO_ALGORITHM_POLICY } }),
    linearCase(pki, { id: "alg::sha1-root-self-signature", about: "an anchor's own SHA-1 self-signature is not checked", expected: "accept", root: { keyType: "rsa", signatureHash: "SHA-1" } }),
    linearCase(pki, { id: "alg::rsa-1024-leaf", about: "the leaf's RSA key has 1024 bits", expected: "reject", code: "weak-key", leaf: { keyType: "rsa-1024" }, differs: { go: GO_ACCEPTS_SHORT_RSA, openssl: OPENSSL_NO_ALGORITHM_POLICY } }),
    linearCase(pki, { id: "alg::rsa-1024-intermediate", about: "the intermediate's 1024-bit RSA key signs the leaf", expected: "reject", code: "weak-key", ca: { keyType: "rsa-1024" }, differs: { go: GO_ACCEPTS_SHORT_RSA, openssl: OPENSSL_NO_ALGORITHM_POLICY } }),
    linearCase(pki, { id: "alg::dsa-intermediate", about: "a DSA intermediate signs the leaf with dsa-with-SHA256", expected: "reject", code: "weak-key", ca: { keyType: "dsa" }, differs: { openssl: OPENSSL_NO_ALGORITHM_POLICY } }),
    linearCase(pki, { id: "alg::p192-leaf", about: "the leaf's key is on P-192", expected: "reject", code: "weak-key", leaf: { keyType: "ec-p192" }, differs: { openssl: OPENSSL_NO_ALGORITHM_POLICY } }),
    linearCase(pki, { id: "alg::p224-intermediate", about: "the intermediate's key is on P-224", expected: "reject", code: "weak-key", ca: { keyType: "ec-p224" }, differs: { go: { verdict: "accept", why: "Go still verifies P-224 ECDSA" }, openssl: OPENSSL_NO_ALGORITHM_POLICY } }),
    linearCase(pki, { id: "alg::explicit-curve-leaf", about: "the leaf's EC key has explicit curve parameters", expected: "reject", code: "unsupported-key", leaf: { keyType: "ec-p256-explicit" } }),
    linearCase(pki, { id: "alg::explicit-curve-intermediate", about: "the intermediate's EC key has explicit curve parameters", expected: "reject", code: "unsupported-key", ca: { keyType: "ec-p256-explicit" } }),
  ];
  cases.push(sha1BesideLongerPath(pki));
  return Promise.all(cases);
}

/** BetterTLS tc54/tc60's shape: the short path's intermediate is signed with SHA-1, a longer path is sound. */
async function sha1BesideLongerPath(pki: Pki): Promise<CaseInput> {
  const id = "alg::sha1-short-path-sound-long-path";
  const { root, ca: weak, leaf } = await linear(pki, id, { root: { keyType: "rsa" }, ca: { signatureHash: "SHA-1" } });
  const bridge = await pki.intermediate(`${id} Bridge CA`, root);
  const sound = await pki.crossSign(weak, bridge);
  return { id, about: "a SHA-1 intermediate on the short path, a SHA-256 cross-sign on a longer one", expected: "accept", leaf, pool: [weak, bridge, sound], anchors: [root], avoid: [weak] };
}
