// Inputs built to break a parser: every one must end as a ChainsmithInputError (a named,
// catchable input error) or be read and judged, never as another exception (issue 13).
import { describe, expect, it } from "vitest";
import { Certificate } from "../../../chain/certificate";
import { ChainBuildError, ChainsmithInputError } from "../../../chain/errors";
import { judgeServed } from "../../../chain/judge";
import { parseCertificates } from "../../../chain/parse";
import { searchPaths } from "../../../chain/paths";
import { element, integer, oid, sequence } from "../../../harness/der-writer";
import { Pki } from "../../../harness/pki";
import { profileOf, shuffled } from "../../../harness/scenarios";
import { certificateDer, signer } from "../../../harness/x509-builder";
import { inputError } from "./parse-input-error";

describe("hostile certificates", () => {
  it("a certificate nested 300 deep where the parser descends is a bad-certificate input error", async () => {
    const pki = new Pki();
    const ca = await pki.root("Deep CA");
    let deep = integer(2);
    for (let i = 0; i < 300; i++) deep = sequence(deep);
    const der = Buffer.from(ca.cert.der);
    const version = der.indexOf(Buffer.from("a003020102", "hex"));
    expect(version).toBeGreaterThan(0);
    // The version field replaced by 300 nested SEQUENCEs; the outer lengths are then wrong too.
    const hostile = Buffer.concat([der.subarray(0, version), element(0xa0, deep), der.subarray(version + 5)]);
    const error = inputError(() => Certificate.fromDer(hostile, "deep.der"));
    expect(error.code).toBe("bad-certificate");
    expect(error.message).toMatch(/^deep\.der: not a valid X\.509 certificate \(/);
  });

  it("a DER file with bytes after the certificate is refused with the declared length, in DER and in a CERTIFICATE block", async () => {
    const pki = new Pki();
    const leaf = await pki.selfSignedLeaf("trailing.test");
    const withNewline = Buffer.concat([leaf.cert.der, Buffer.from("\n")]);
    const error = inputError(() => parseCertificates(withNewline, "leaf.der"));
    expect(error.code).toBe("trailing-data");
    expect(error.message).toBe(`leaf.der: 1 byte follow the DER structure, which ends at byte ${leaf.cert.der.length} of ${withNewline.length} (a trailing newline, or two files joined?). Remove them (e.g. head -c ${leaf.cert.der.length} FILE > FILE.der), or give the certificates as PEM.`);
    const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.concat([leaf.cert.der, Buffer.from("junk")]).toString("base64")}\n-----END CERTIFICATE-----\n`;
    expect(inputError(() => parseCertificates(pem, "leaf.pem")).code).toBe("trailing-data");
    expect(inputError(() => Certificate.fromDer(withNewline, "leaf.der")).code).toBe("bad-certificate");
  });

  it("a key that does not decode: the certificate parses, cannot verify anything, and is refused by name", async () => {
    const pki = new Pki();
    const root = await pki.root("Broken Key Root");
    const now = pki.now;
    // rsaEncryption with a key BIT STRING that is no RSAPublicKey.
    const spki = sequence(sequence(oid("1.2.840.113549.1.1.1"), Buffer.from("0500", "hex")), element(0x03, Buffer.from("00deadbeef", "hex")));
    const { algorithm, sign } = signer(root.key.privateKey, "SHA-256", "ecdsa");
    const der = certificateDer({ serial: Buffer.from("01", "hex"), issuer: root.cert.subject, subject: "CN=Broken Key CA", notBefore: new Date(now.getTime() - 86400_000), notAfter: new Date(now.getTime() + 86400_000), spki, extensions: [] }, algorithm, sign);
    const broken = Certificate.fromDer(der, "broken.der");
    expect(broken.publicKey).toBeUndefined();
    expect(broken.keyRefusal?.code).toBe("unsupported-key");
    expect(broken.key).toEqual({ type: "other" });
    const leaf = await pki.leaf("www.example.com", await pki.intermediate("Broken Key CA", root));
    const search = searchPaths(leaf.cert, [broken], { at: pki.now, anchors: [root.cert] });
    expect(search.paths).toEqual([]);
    expect(search.deadEnds.join("\n")).toContain("does not verify the signature");
  });

  it("random damage to a certificate: an input error or a judged certificate, never another exception", async () => {
    const pki = new Pki();
    const root = await pki.root("Fuzz Root");
    const ca = await pki.intermediate("Fuzz CA", root, { nameConstraints: { permitted: [{ dns: "example.com" }] } });
    const leaf = await pki.leaf("www.example.com", ca, { altNames: [{ dns: "www.example.com" }, { ip: "192.0.2.1" }, { email: "a@example.com" }, { uri: "https://example.com/" }] });
    const profile = profileOf("fuzz", root);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const unexpected: string[] = [];
    for (let round = 0; round < 3000; round++) {
      const target = [leaf, ca][round % 2].cert.der;
      const der = Buffer.from(target);
      const flips = 1 + Math.floor(random() * 3);
      for (let f = 0; f < flips; f++) der[Math.floor(random() * der.length)] ^= 1 << Math.floor(random() * 8);
      const cut = random() < 0.1 ? der.subarray(0, Math.floor(random() * der.length)) : der;
      try {
        const [cert] = parseCertificates(cut, "fuzz.der");
        const chain = cert === undefined ? [] : round % 2 ? [leaf.cert, cert] : [cert, ca.cert];
        judgeServed(chain, { profiles: [profile], at: pki.now });
        searchPaths(chain[0], shuffled(chain.slice(1), round), { at: pki.now, anchors: [root.cert] });
      } catch (e) {
        if (!(e instanceof ChainsmithInputError || e instanceof ChainBuildError)) unexpected.push(`round ${round}: ${(e as Error).stack}`);
      }
    }
    expect(unexpected).toEqual([]);
  });

  it("large certificates (60,000 SANs, 5,000 extensions) are judged as served chains, without an exception", async () => {
    const pki = new Pki();
    const root = await pki.root("Large Root", { extensions: Array.from({ length: 5000 }, (_, i) => ({ oid: `1.3.6.1.4.1.55555.3.${i}`, value: Buffer.from("0500", "hex") })) });
    const leaf = await pki.leaf("large.example.test", root, { altNames: Array.from({ length: 60000 }, (_, i) => ({ dns: `h${i}.example.test` })) });
    const judgement = judgeServed([leaf.cert], { profiles: [profileOf("large", root)], at: pki.now });
    expect(judgement.profiles[0].trusted).toBe(true);
    expect(leaf.cert.subjectAltNames).toHaveLength(60000);
  });
});

