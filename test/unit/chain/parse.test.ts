import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pki, pemOf, type Issued } from "../../../harness/pki";
import { parseCertificates } from "../../../chain/parse";
import { csrPem, inputError } from "./parse-input-error";

let root: Issued;
let ca: Issued;
let leaf: Issued;


const fingerprints = (input: Buffer | string, source = "input.pem") => parseCertificates(input, source).map((c) => c.sha256);

beforeAll(async () => {
  const pki = new Pki();
  root = await pki.root("Parse Root");
  ca = await pki.intermediate("Parse CA", root);
  leaf = await pki.leaf("parse.example.test", ca);
});

describe("parseCertificates", () => {
  it("reads every PEM block in order, ignoring text around them and CRLF line ends", () => {
    const text = `Bag Attributes\r\nsubject=CN = parse.example.test\r\n${leaf.pem.replace(/\n/g, "\r\n")}\r\nsome comment\n${pemOf(ca, root)}trailing text`;
    expect(fingerprints(text)).toEqual([leaf.cert.sha256, ca.cert.sha256, root.cert.sha256]);
  });

  it("reads a PEM saved as UTF-16 with a BOM (Windows Notepad's \"Unicode\")", () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pemOf(leaf, ca).replace(/\n/g, "\r\n"), "utf16le")]);
    expect(fingerprints(utf16, "chain-unicode.pem")).toEqual([leaf.cert.sha256, ca.cert.sha256]);
  });

  it("keeps duplicates (a served chain may repeat a certificate)", () => {
    expect(fingerprints(pemOf(leaf, ca, ca))).toEqual([leaf.cert.sha256, ca.cert.sha256, ca.cert.sha256]);
  });

  it("reads DER", () => {
    expect(fingerprints(leaf.cert.der, "leaf.der")).toEqual([leaf.cert.sha256]);
  });

  it("reads PKCS#7 made by openssl, in DER and PEM, with the exact certificate bytes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-p7-"));
    try {
      const certs = path.join(dir, "certs.pem");
      fs.writeFileSync(certs, pemOf(leaf, ca));
      const der = execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", certs, "-outform", "DER"]);
      const pem = execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", certs]).toString();
      expect(pem).toContain("-----BEGIN PKCS7-----");
      expect(fingerprints(der, "bundle.p7b").sort()).toEqual([leaf.cert.sha256, ca.cert.sha256].sort());
      expect(fingerprints(pem, "bundle.p7b").sort()).toEqual([leaf.cert.sha256, ca.cert.sha256].sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads openssl's TRUSTED CERTIFICATE (certificate plus trust settings)", () => {
    const trusted = execFileSync("openssl", ["x509", "-trustout", "-addtrust", "serverAuth"], { input: root.pem }).toString();
    expect(trusted).toContain("BEGIN TRUSTED CERTIFICATE");
    expect(fingerprints(trusted)).toEqual([root.cert.sha256]);
  });

  describe("errors name the input and the block, and say what to do", () => {
    it("empty input", () => {
      const error = inputError(() => parseCertificates("  \n", "pool.pem"));
      expect(error.code).toBe("empty-input");
      expect(error.message).toMatch(/^pool\.pem: the input is empty/);
    });

    it("a block without its END line (truncated file)", () => {
      const cut = pemOf(leaf, ca).slice(0, pemOf(leaf, ca).length - 200);
      const error = inputError(() => parseCertificates(cut, "pool.pem"));
      expect(error.code).toBe("pem-truncated");
      expect(error.message).toContain("pool.pem, block 2 (CERTIFICATE)");
    });

    it("base64 cut short inside a block", () => {
      const lines = leaf.pem.split("\n");
      const cut = [...lines.slice(0, 3), ...lines.slice(-2)].join("\n");
      const error = inputError(() => parseCertificates(cut, "leaf.pem"));
      expect(error.code).toBe("truncated"); // whole 64-character lines are gone: valid base64, short DER
      expect(error.message).toMatch(/^leaf\.pem, block 1 \(CERTIFICATE\): the data ends after 96 of \d+ bytes; the file was cut\. Copy or download it again\.$/);
    });

    it("corrupt base64", () => {
      const corrupt = leaf.pem.replace(/\n(.)/, "\n$1!");
      const error = inputError(() => parseCertificates(pemOf(ca) + corrupt, "pool.pem"));
      expect(error.code).toBe("pem-bad-base64");
      expect(error.message).toContain("pool.pem, block 2 (CERTIFICATE)");
      expect(error.message).toMatch(/invalid character/);
    });

    it("a truncated DER file", () => {
      const error = inputError(() => parseCertificates(leaf.cert.der.subarray(0, 100), "leaf.der"));
      expect(error.code).toBe("truncated");
      expect(error.message).toMatch(/^leaf\.der: the data ends after 100 of \d+ bytes/);
    });

    it("a DER certificate damaged inside (a broken length) says the DER is malformed, not a PEM complaint", () => {
      const damaged = Buffer.from(leaf.cert.der);
      damaged[5] ^= 0x40; // the length of tbsCertificate
      const error = inputError(() => parseCertificates(damaged, "leaf.der"));
      expect(error.code).toBe("bad-certificate");
      expect(error.message).toMatch(/^leaf\.der: not a valid X\.509 certificate \(certificate, tbsCertificate: .*\)\. Check that the file is not truncated or altered\.$/);
    });

    describe("PKCS#7 bundles", () => {
      const p7b = () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-p7-"));
        try {
          fs.writeFileSync(path.join(dir, "certs.pem"), pemOf(leaf, ca));
          const der = execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", path.join(dir, "certs.pem"), "-outform", "DER"]);
          expect(parseCertificates(der, "intact.p7b").map((c) => c.sha256)).toEqual([leaf.cert.sha256, ca.cert.sha256]);
          return der;
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      };
      const pemOfP7b = (der: Buffer) => `-----BEGIN PKCS7-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END PKCS7-----\n`;

      it("a truncated .p7b, in DER and in PEM, says the file was cut", () => {
        const der = p7b();
        const cut = der.subarray(0, der.length - 40);
        const error = inputError(() => parseCertificates(cut, "bundle.p7b"));
        expect(error.code).toBe("truncated");
        expect(error.message).toBe(`bundle.p7b: the data ends after ${cut.length} of ${der.length} bytes; the file was cut. Copy or download it again.`);
        const pemError = inputError(() => parseCertificates(pemOfP7b(cut), "bundle.p7c"));
        expect(pemError.code).toBe("truncated");
        expect(pemError.message).toMatch(/^bundle\.p7c, block 1 \(PKCS7\): the data ends after/);
      });

      it("a .p7b damaged inside, in DER and in PEM, is named a broken PKCS#7 bundle", () => {
        const damaged = p7b();
        const signedData = damaged.indexOf(Buffer.from([0xa0, 0x82])) + 4; // ContentInfo's [0] content: the SignedData SEQUENCE
        expect(damaged[signedData]).toBe(0x30);
        damaged[signedData] = 0x31;
        const error = inputError(() => parseCertificates(damaged, "bundle.p7b"));
        expect(error.code).toBe("bad-pkcs7");
        expect(error.message).toMatch(/^bundle\.p7b: not a valid PKCS#7 certificate bundle \(.+\)\. Export it again as \.p7b, or as PEM certificates\.$/);
        expect(inputError(() => parseCertificates(pemOfP7b(damaged), "bundle.p7c")).code).toBe("bad-pkcs7");
      });

      it("a .p7b without certificates says to export it with them", () => {
        const empty = execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-outform", "DER"]);
        const error = inputError(() => parseCertificates(empty, "empty.p7b"));
        expect(error.code).toBe("no-certificate");
        expect(error.message).toContain("empty.p7b: the PKCS#7 bundle holds no certificates. Export it again with the certificates included.");
      });
    });

    it("a private key where a certificate was expected, in PEM and in DER", () => {
      const pemError = inputError(() => parseCertificates(leaf.pem + leaf.keyPem, "leaf.pem"));
      expect(pemError.code).toBe("key-not-certificate");
      expect(pemError.message).toContain("leaf.pem, block 2 (PRIVATE KEY)");
      const der = leaf.key.privateKey.export({ type: "pkcs8", format: "der" });
      expect(inputError(() => parseCertificates(der, "key.der")).code).toBe("key-not-certificate");
      const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" });
      expect(inputError(() => parseCertificates(rsa, "rsa.pem")).message).toContain("block 1 (RSA PRIVATE KEY)");
    });

    it("a CSR, in PEM and in DER", () => {
      const csr = csrPem("csr.example.test");
      const error = inputError(() => parseCertificates(csr, "request.pem"));
      expect(error.code).toBe("csr-not-certificate");
      expect(error.message).toMatch(/request\.pem, block 1 \(CERTIFICATE REQUEST\).*Submit it to your CA/);
      const der = execFileSync("openssl", ["req", "-outform", "DER"], { input: csr });
      expect(inputError(() => parseCertificates(der, "request.der")).code).toBe("csr-not-certificate");
    });

    it("a PFX says it needs its password", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-pfx-"));
      try {
        fs.writeFileSync(path.join(dir, "k.pem"), leaf.keyPem);
        const pfx = execFileSync("openssl", ["pkcs12", "-export", "-inkey", path.join(dir, "k.pem"), "-passout", "pass:x"], { input: leaf.pem });
        expect(inputError(() => parseCertificates(pfx, "site.pfx")).code).toBe("pfx-needs-password");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("text that is neither PEM nor DER", () => {
      const error = inputError(() => parseCertificates("hello, I am not a certificate", "notes.txt"));
      expect(error.code).toBe("not-a-certificate");
      expect(error.message).toContain("notes.txt");
    });

    it("DER that is no known structure", () => {
      const error = inputError(() => parseCertificates(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]), "odd.der"));
      expect(error.code).toBe("bad-certificate");
      expect(error.message).toContain("odd.der");
    });
  });
});
