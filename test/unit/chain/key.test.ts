import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import { Pki, type Issued } from "../../../harness/pki";
import { assertKeyMatchesLeaf, keySpkiSha256, parsePrivateKey } from "../../../chain/key";
import { csrPem, inputError } from "./parse-input-error";

const PASSPHRASE = "correct horse battery";
let ca: Issued;
let ecLeaf: Issued;
let rsaLeaf: Issued;


const openssl = (args: string[], input: string | Buffer) => execFileSync("openssl", args, { input });

beforeAll(async () => {
  const pki = new Pki();
  ca = await pki.root("Key Test CA");
  ecLeaf = await pki.leaf("ec.example.test", ca);
  rsaLeaf = await pki.leaf("rsa.example.test", ca, { keyType: "rsa" });
});

describe("parsePrivateKey", () => {
  it("reads PKCS#8, PKCS#1 RSA and SEC1 EC keys, in PEM and DER", () => {
    const cases: Array<[string, Buffer | string, Issued]> = [
      ["pkcs8.pem", ecLeaf.keyPem, ecLeaf],
      ["pkcs8.der", ecLeaf.key.privateKey.export({ type: "pkcs8", format: "der" }), ecLeaf],
      ["rsa.pem", openssl(["pkey", "-traditional"], rsaLeaf.keyPem), rsaLeaf],
      ["rsa.der", rsaLeaf.key.privateKey.export({ type: "pkcs1", format: "der" }), rsaLeaf],
      ["ec.pem", openssl(["ec"], ecLeaf.keyPem), ecLeaf],
      ["ec.der", ecLeaf.key.privateKey.export({ type: "sec1", format: "der" }), ecLeaf],
    ];
    expect(cases[2][1].toString()).toContain("BEGIN RSA PRIVATE KEY");
    expect(cases[4][1].toString()).toContain("BEGIN EC PRIVATE KEY");
    for (const [source, input, owner] of cases) {
      expect(keySpkiSha256(parsePrivateKey(input, source)), source).toBe(owner.cert.spkiSha256);
    }
  });

  it("takes the key out of a combined PEM (HAProxy style) and from openssl ecparam output", () => {
    expect(keySpkiSha256(parsePrivateKey(ecLeaf.pem + ca.pem + ecLeaf.keyPem.replace(/\n/g, "\r\n"), "haproxy.pem"))).toBe(ecLeaf.cert.spkiSha256);
    const withParams = execFileSync("openssl", ["ecparam", "-name", "prime256v1", "-genkey"]).toString();
    expect(withParams).toContain("BEGIN EC PARAMETERS");
    expect(parsePrivateKey(withParams, "ecparam.pem").asymmetricKeyType).toBe("ec");
  });

  it("reads encrypted PKCS#8 (PEM and DER) and legacy encrypted PEM with the passphrase", () => {
    const pkcs8 = openssl(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", `pass:${PASSPHRASE}`], rsaLeaf.keyPem);
    expect(pkcs8.toString()).toContain("BEGIN ENCRYPTED PRIVATE KEY");
    const der = openssl(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-outform", "DER", "-passout", `pass:${PASSPHRASE}`], rsaLeaf.keyPem);
    const legacy = openssl(["rsa", "-traditional", "-aes256", "-passout", `pass:${PASSPHRASE}`], rsaLeaf.keyPem);
    expect(legacy.toString()).toContain("Proc-Type: 4,ENCRYPTED");
    for (const [source, input] of [["enc.pem", pkcs8], ["enc.der", der], ["legacy.pem", legacy]] as const) {
      expect(keySpkiSha256(parsePrivateKey(input, source, PASSPHRASE)), source).toBe(rsaLeaf.cert.spkiSha256);
      expect(inputError(() => parsePrivateKey(input, source)).code, source).toBe("key-passphrase-required");
      const wrong = inputError(() => parsePrivateKey(input, source, "wrong passphrase"));
      expect(wrong.code, source).toBe("key-wrong-passphrase");
      expect(wrong.message).toContain(source);
      expect(wrong.message).not.toContain("wrong passphrase");
    }
  });

  it("names a wrong passphrase even when the garbage it decrypts to passes the padding check (1 in 256)", () => {
    const legacy = openssl(["rsa", "-traditional", "-aes256", "-passout", `pass:${PASSPHRASE}`], rsaLeaf.keyPem);
    const decoderFailure = (passphrase: string) => {
      try {
        crypto.createPrivateKey({ key: legacy, format: "pem", passphrase });
        return false;
      } catch (e) {
        return (e as { code?: string }).code === "ERR_OSSL_UNSUPPORTED";
      }
    };
    // P(none of 8,000 candidates passes the padding) = (255/256)^8000, about 1e-14.
    const passing = Array.from({ length: 8000 }, (_, i) => `wrong ${i}`).find(decoderFailure);
    expect(passing, "a wrong passphrase whose decryption passes the padding").toBeDefined();
    const error = inputError(() => parsePrivateKey(legacy, "legacy.pem", passing));
    expect(error.code).toBe("key-wrong-passphrase");
    expect(error.message).not.toContain(passing!);
  });

  it("names an encryption this OpenSSL no longer supports (single DES) and says how to convert", () => {
    const des = openssl(["pkcs8", "-topk8", "-v1", "PBE-MD5-DES", "-passout", `pass:${PASSPHRASE}`, "-provider", "legacy", "-provider", "default"], ecLeaf.keyPem);
    const error = inputError(() => parsePrivateKey(des, "old.key", PASSPHRASE));
    expect(error.code).toBe("unsupported-key-algorithm");
    expect(error.message).toMatch(/^old\.key, block 1 \(ENCRYPTED PRIVATE KEY\): .*openssl pkcs8 -topk8/);
  });

  it("names what was given instead of a key", () => {
    expect(inputError(() => parsePrivateKey(ecLeaf.pem, "cert.pem")).code).toBe("certificate-not-key");
    expect(inputError(() => parsePrivateKey(ecLeaf.cert.der, "cert.der")).code).toBe("certificate-not-key");
    const csr = csrPem("csr.example.test");
    expect(inputError(() => parsePrivateKey(csr, "req.pem")).code).toBe("csr-not-key");
    expect(inputError(() => parsePrivateKey("", "empty.key")).code).toBe("empty-input");
    const pfx = openssl(["pkcs12", "-export", "-passout", "pass:x"], ecLeaf.keyPem + ecLeaf.pem);
    expect(inputError(() => parsePrivateKey(pfx, "site.pfx")).code).toBe("pfx-needs-password");
    expect(inputError(() => parsePrivateKey(ecLeaf.keyPem + rsaLeaf.keyPem, "two.key")).code).toBe("multiple-keys");
    const cut = ecLeaf.keyPem.replace(/-----END PRIVATE KEY-----\n$/, "");
    expect(inputError(() => parsePrivateKey(cut, "cut.key")).code).toBe("pem-truncated");
  });
});

describe("assertKeyMatchesLeaf", () => {
  it("accepts the leaf's own key and refuses another, naming the leaf and never the key", () => {
    expect(() => assertKeyMatchesLeaf(rsaLeaf.key.privateKey, rsaLeaf.cert)).not.toThrow();
    const error = inputError(() => assertKeyMatchesLeaf(ecLeaf.key.privateKey, rsaLeaf.cert));
    expect(error.code).toBe("key-mismatch");
    expect(error.message).toContain("rsa.example.test");
    expect(error.message).toContain(rsaLeaf.cert.shortFingerprint);
    const keyBase64 = ecLeaf.key.privateKey.export({ type: "pkcs8", format: "der" }).toString("base64");
    expect(error.message).not.toContain(keyBase64.slice(40, 60));
  });

  it("refuses a key of the same type and size that is not the leaf's", () => {
    const other = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    expect(inputError(() => assertKeyMatchesLeaf(other, ecLeaf.cert)).code).toBe("key-mismatch");
  });
});
