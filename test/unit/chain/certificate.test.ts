import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { Pki } from "../../../harness/pki";

describe("Certificate facts", () => {
  it("tells a cross-sign from its self-signed twin: same subject and key, different fingerprint", async () => {
    const pki = new Pki();
    const old = await pki.root("AAA Certificate Services", { keyType: "rsa" });
    const r46 = await pki.root("Sectigo Public Server Authentication Root R46", { subjectSuffix: "O=Sectigo Limited, C=GB" });
    const r46ByOld = await pki.crossSign(r46, old);

    expect(r46.cert.selfSigned).toBe(true);
    expect(r46ByOld.cert.selfSigned).toBe(false);
    expect(r46ByOld.cert.subject).toBe(r46.cert.subject);
    expect(r46ByOld.cert.spkiSha256).toBe(r46.cert.spkiSha256);
    expect(r46ByOld.cert.sha256).not.toBe(r46.cert.sha256);
    expect(r46ByOld.cert.isSameEntityAs(r46.cert)).toBe(true);
    expect(r46ByOld.cert.isIssuedByName(old.cert)).toBe(true);
    expect(r46ByOld.cert.isSignedBy(old.cert)).toBe(true);
    expect(r46ByOld.cert.isSignedBy(r46.cert)).toBe(false);
    expect(old.cert.key).toEqual({ type: "RSA", bits: 2048 });
  });

  it("agrees with openssl on fingerprints, names and extensions", async () => {
    const pki = new Pki();
    const root = await pki.root("Test Root", { keyType: "ec-p384", pathLen: 1 });
    const leaf = await pki.leaf("www.example.test", root, { dnsNames: ["www.example.test", "example.test"] });
    const sha256 = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256"], { input: leaf.pem }).toString();
    expect(sha256.split("=")[1].trim().replace(/:/g, "").toLowerCase()).toBe(leaf.cert.sha256);
    const sha1 = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha1"], { input: leaf.pem }).toString();
    expect(sha1.split("=")[1].trim().replace(/:/g, "")).toBe(leaf.cert.sha1);
    expect(leaf.cert.subjectAltNames).toEqual(["dns:www.example.test", "dns:example.test"]);
    expect(leaf.cert.isCA).toBe(false);
    expect(root.cert.pathLen).toBe(1);
    expect(root.cert.canSignCertificates).toBe(true);
    expect(leaf.cert.authorityKeyId).toBe(root.cert.subjectKeyId);
    expect(root.cert.key).toEqual({ type: "EC", curve: "secp384r1", bits: 384 });
  });

  it("verifies RSA-PSS, Ed25519 and SHA-1 signatures", async () => {
    const pki = new Pki();
    for (const keyType of ["rsa-pss", "ed25519", "ec-p256"] as const) {
      const root = await pki.root(`Root ${keyType}`, { keyType });
      const leaf = await pki.leaf(`${keyType}.test`, root);
      expect(leaf.cert.isSignedBy(root.cert)).toBe(true);
    }
    const rsaRoot = await pki.root("SHA1 Root", { keyType: "rsa" });
    const weak = await pki.leaf("weak.test", rsaRoot, { signatureHash: "SHA-1" });
    expect(weak.cert.signatureHash).toBe("SHA-1");
    expect(weak.cert.isSignedBy(rsaRoot.cert)).toBe(true);
  });
});
