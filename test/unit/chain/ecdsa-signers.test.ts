import { describe, expect, it } from "vitest";
import { Certificate } from "../../../chain/certificate";
import { mayHaveSigned } from "../../../chain/ecdsa-signers";
import { KeyType, Pki } from "../../../harness/pki";
import type { HashName } from "../../../harness/x509-builder";
import { decoys } from "../../../harness/scenarios";

// Screening must never drop the real signer (a valid path would vanish) and must drop
// impostors (or a crowded pool costs one verification each).
describe("ECDSA signer screening by public key recovery", () => {
  const cases: { keyType: KeyType; hash?: HashName; label: string }[] = [
    { keyType: "ec-p256", label: "P-256, SHA-256" },
    { keyType: "ec-p256", hash: "SHA-384", label: "P-256, SHA-384 (hash longer than the order)" },
    { keyType: "ec-p256", hash: "SHA-1", label: "P-256, SHA-1" },
    { keyType: "ec-p384", label: "P-384, SHA-384" },
    { keyType: "ec-p521", label: "P-521, SHA-512" },
  ];
  for (const { keyType, hash, label } of cases) {
    it(`keeps the signer and its cross-signed twin, drops 25 same-named impostors: ${label}`, async () => {
      const pki = new Pki();
      const root = await pki.root("Screening Root", { keyType });
      const otherRoot = await pki.root("Other Root", { keyType: "rsa" });
      const ca = await pki.intermediate("Screening CA", root, { keyType });
      const twin = await pki.crossSign(ca, otherRoot);
      const leaves = [await pki.leaf("a.screening.test", ca, { signatureHash: hash }), await pki.leaf("b.screening.test", ca, { signatureHash: hash })];
      const impostors = await decoys(pki, "Screening CA", root, 25, { keyType });
      for (const leaf of leaves) {
        expect(leaf.cert.isSignedBy(ca.cert)).toBe(true);
        expect(mayHaveSigned(leaf.cert, ca.cert)).toBe(true);
        expect(mayHaveSigned(leaf.cert, twin.cert)).toBe(true);
        for (const impostor of impostors) {
          expect(leaf.cert.isSignedBy(impostor.cert)).toBe(false);
          expect(mayHaveSigned(leaf.cert, impostor.cert)).toBe(false);
        }
      }
    });
  }

  it("leaves the decision to the verification where recovery does not apply", async () => {
    const pki = new Pki();
    const rsaCa = await pki.root("RSA CA", { keyType: "rsa" });
    const edCa = await pki.root("Ed25519 CA", { keyType: "ed25519" });
    const ecCa = await pki.root("EC CA", { keyType: "ec-p256" });
    const rsaSigned = await pki.leaf("rsa.screening.test", rsaCa);
    const ecSigned = await pki.leaf("ec.screening.test", ecCa);
    // An RSA signature has no recoverable key: an EC candidate is not excluded by screening.
    expect(mayHaveSigned(rsaSigned.cert, ecCa.cert)).toBe(true);
    // A candidate without an EC key is not screened.
    expect(mayHaveSigned(ecSigned.cert, edCa.cert)).toBe(true);
    expect(mayHaveSigned(ecSigned.cert, rsaCa.cert)).toBe(true);
    // A signature that does not parse: screening says "may", the verification says no.
    const damaged = withDamagedSignature(ecSigned.cert);
    expect(mayHaveSigned(damaged, ecCa.cert)).toBe(true);
    expect(damaged.isSignedBy(ecCa.cert)).toBe(false);
  });
});

/** The certificate with the INTEGER tag of its signature's r changed: still a certificate to OpenSSL, not an ECDSA-Sig-Value. */
function withDamagedSignature(cert: Certificate): Certificate {
  const der = Buffer.from(cert.der);
  // The signature bits end the certificate: SEQUENCE (30 len), then r's INTEGER (02).
  const integer = der.length - cert.signatureValue.length + 2;
  expect(der[integer]).toBe(0x02);
  der[integer] = 0x04;
  return Certificate.fromDer(der, "damaged");
}
