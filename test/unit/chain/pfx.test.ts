import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pki, type Issued } from "../../../harness/pki";
import { writePfx } from "../../../chain/pfx-write";
import { readPfx } from "../../../chain/pfx-read";
import { MAX_PFX_ITERATIONS } from "../../../chain/pkcs12-pbe";
import { run } from "../../../harness/run";
import { keySpkiSha256 } from "../../../chain/key";
import { inputError } from "./parse-input-error";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { PFX } from "@peculiar/asn1-pfx";

const PASSWORD = "s3cret-Pässword";
let dir: string;
let root: Issued;
let ca: Issued;
let leaf: Issued;

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

/** Runs openssl and returns stdout + stderr; fails the test with openssl's words. */
function openssl(args: string[]): string {
  const run = spawnSync("openssl", args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${run.stderr}`);
  return run.stdout + run.stderr;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-pfx-"));
  const pki = new Pki();
  root = await pki.root("PFX Test Root", { keyType: "rsa" });
  ca = await pki.intermediate("PFX Test CA", root);
  leaf = await pki.leaf("pfx.example.test", ca, { keyType: "rsa" });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("writePfx, read back by openssl pkcs12", () => {
  it("modern profile: PBES2 AES-256 with PBKDF2-HMAC-SHA256 for key and certificates, SHA-256 MAC", () => {
    const pfx = file("modern.pfx", writePfx([leaf.cert, ca.cert], leaf.key.privateKey, PASSWORD, { profile: "modern", friendlyName: "pfx.example.test 2026" }));
    const info = openssl(["pkcs12", "-in", pfx, "-info", "-nodes", "-passin", `pass:${PASSWORD}`]);
    expect(info).toMatch(/MAC: sha256, Iteration 2048/);
    expect(info).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
    expect(info).toMatch(/PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
    expect(info).toContain("friendlyName: pfx.example.test 2026");
    expect(info).toContain(leaf.pem.trim());
    expect(info).toContain(ca.pem.trim());
    expect(info).not.toContain(root.pem.trim());
    const keyOut = openssl(["pkcs12", "-in", pfx, "-nocerts", "-nodes", "-passin", `pass:${PASSWORD}`]);
    const spki = execFileSync("openssl", ["pkey", "-pubout", "-outform", "DER"], { input: keyOut });
    expect(spki.equals(leaf.key.publicKey.export({ type: "spki", format: "der" }))).toBe(true);
  });

  it("legacy profile: 3DES for key and certificates, SHA-1 MAC, readable without openssl's -legacy", () => {
    const pfx = file("legacy.pfx", writePfx([leaf.cert, ca.cert], leaf.key.privateKey, PASSWORD, { profile: "legacy" }));
    const info = openssl(["pkcs12", "-in", pfx, "-info", "-nodes", "-passin", `pass:${PASSWORD}`]);
    expect(info).toMatch(/MAC: sha1, Iteration 2048/);
    expect(info).toMatch(/Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/);
    expect(info).toMatch(/PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/);
    expect(info).toContain(leaf.pem.trim());
    expect(info).toContain(ca.pem.trim());
  });

  it("openssl rejects the wrong password on both profiles", () => {
    for (const profile of ["modern", "legacy"] as const) {
      const pfx = file(`${profile}-pw.pfx`, writePfx([leaf.cert], leaf.key.privateKey, PASSWORD, { profile }));
      const run = spawnSync("openssl", ["pkcs12", "-in", pfx, "-info", "-nodes", "-passin", "pass:wrong"], { encoding: "utf8" });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/mac verify (failure|error)/i);
    }
  });

  it("refuses a key that does not belong to the leaf", () => {
    const error = inputError(() => writePfx([leaf.cert], ca.key.privateKey, PASSWORD, { profile: "modern" }));
    expect(error.code).toBe("key-mismatch");
    expect(error.message).toContain("pfx.example.test");
  });
});

describe("readPfx", () => {
  it("reads back both of its own profiles: certificates in order, key, leaf, friendlyName", () => {
    for (const profile of ["modern", "legacy"] as const) {
      const bytes = writePfx([leaf.cert, ca.cert], leaf.key.privateKey, PASSWORD, { profile, friendlyName: "Web 2026" });
      const contents = readPfx(bytes, PASSWORD, `${profile}.pfx`);
      expect(contents.certificates.map((c) => c.sha256)).toEqual([leaf.cert.sha256, ca.cert.sha256]);
      expect(contents.leaf?.sha256).toBe(leaf.cert.sha256);
      expect(keySpkiSha256(contents.key!)).toBe(leaf.cert.spkiSha256);
      expect(contents.friendlyName).toBe("Web 2026");
    }
  });

  describe("files made by openssl pkcs12 -export", () => {
    let certFile: string;
    let keyFile: string;
    let chainFile: string;
    beforeAll(() => {
      certFile = file("leaf.pem", leaf.pem);
      keyFile = file("leaf.key", leaf.keyPem);
      chainFile = file("ca.pem", ca.pem);
    });
    const exportPfx = (name: string, extra: string[]): Buffer => {
      const out = path.join(dir, name);
      openssl(["pkcs12", "-export", "-in", certFile, "-inkey", keyFile, "-certfile", chainFile, "-name", "from openssl", "-out", out, "-passout", `pass:${PASSWORD}`, ...extra]);
      return fs.readFileSync(out);
    };

    it.each([
      ["OpenSSL 3 default (AES-256, SHA-256 MAC)", "default.pfx", []],
      ["3DES with a SHA-1 MAC", "3des.pfx", ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"]],
      ["-legacy with 3DES certificates", "legacy-3des.pfx", ["-legacy", "-certpbe", "PBE-SHA1-3DES"]],
      ["unencrypted certificates", "nocerts-enc.pfx", ["-certpbe", "NONE"]],
      ["an unencrypted key bag", "plain-key.pfx", ["-keypbe", "NONE"]],
      // What older Windows, Java keytool and OpenSSL 1.x write, through OpenSSL 3's legacy provider.
      ["-legacy: RC2-40 certificates, 3DES key (OpenSSL 1.x's default)", "rc2-40.pfx", ["-legacy"]],
      ["RC2-128 certificates", "rc2-128.pfx", ["-legacy", "-certpbe", "PBE-SHA1-RC2-128"]],
      ["RC2-40 certificates and key", "rc2-key.pfx", ["-legacy", "-certpbe", "PBE-SHA1-RC2-40", "-keypbe", "PBE-SHA1-RC2-40"]],
      ["RC2-128 key", "rc2-128-key.pfx", ["-legacy", "-keypbe", "PBE-SHA1-RC2-128"]],
    ])("%s", (_label, name, extra) => {
      const contents = readPfx(exportPfx(name, extra as string[]), PASSWORD, name);
      expect(contents.certificates.map((c) => c.sha256).sort()).toEqual([leaf.cert.sha256, ca.cert.sha256].sort());
      expect(contents.leaf?.sha256).toBe(leaf.cert.sha256);
      expect(keySpkiSha256(contents.key!)).toBe(leaf.cert.spkiSha256);
      expect(contents.friendlyName).toBe("from openssl");
    });

    it("an RC4 file gets a clear 'unsupported' error that says how to re-export", () => {
      const error = inputError(() => readPfx(exportPfx("rc4.pfx", ["-legacy", "-certpbe", "PBE-SHA1-RC4-128"]), PASSWORD, "rc4.pfx"));
      expect(error.code).toBe("pfx-unsupported-cipher");
      expect(error.message).toMatch(/rc4\.pfx.*RC4-128.*Re-export the PFX with AES or 3DES/s);
    });

    it("an RC2 file without MAC opened with the wrong password is named a wrong password", () => {
      const bytes = exportPfx("rc2-nomac.pfx", ["-legacy", "-nomac", "-certpbe", "PBE-SHA1-RC2-40"]);
      expect(readPfx(bytes, PASSWORD, "rc2-nomac.pfx").leaf?.sha256).toBe(leaf.cert.sha256);
      expect(inputError(() => readPfx(bytes, "wrong", "rc2-nomac.pfx")).code).toBe("pfx-wrong-password");
    });

    it("a real file with 8,388,608 iterations (a 4-byte count) is refused at once, before any derivation", async () => {
      const out = path.join(dir, "many-iterations.pfx");
      // openssl itself takes seconds on this file: made asynchronously, off the test worker.
      const made = await run("openssl", ["pkcs12", "-export", "-in", certFile, "-inkey", keyFile, "-out", out, "-passout", `pass:${PASSWORD}`, "-iter", "8388608"]);
      expect(made.code, made.stderr).toBe(0);
      const started = Date.now();
      const error = inputError(() => readPfx(fs.readFileSync(out), PASSWORD, "many-iterations.pfx"));
      expect(error.code).toBe("pfx-iterations-too-high");
      expect(error.message).toContain(`many-iterations.pfx: the integrity check asks for 8388608 iterations`);
      expect(error.message).toContain(`at most ${MAX_PFX_ITERATIONS}`);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("an encryption with too many iterations is refused too (a file without MAC)", () => {
      const error = inputError(() => readPfx(exportPfx("nomac-iter.pfx", ["-iter", String(MAX_PFX_ITERATIONS + 1), "-nomac"]), PASSWORD, "nomac-iter.pfx"));
      expect(error.code).toBe("pfx-iterations-too-high");
      expect(error.message).toContain(`the encryption asks for ${MAX_PFX_ITERATIONS + 1} iterations`);
    });

    it("a wrong password is named as such, and the password never appears in the message", () => {
      const bytes = exportPfx("pw.pfx", []);
      const error = inputError(() => readPfx(bytes, "not-the-password", "pw.pfx"));
      expect(error.code).toBe("pfx-wrong-password");
      expect(error.message).toContain("pw.pfx");
      expect(error.message).not.toContain("not-the-password");
      expect(error.message).not.toContain(PASSWORD);
    });

    it("a wrong password on a file without MAC is still named as a wrong password", () => {
      const bytes = exportPfx("nomac.pfx", ["-nomac"]);
      expect(readPfx(bytes, PASSWORD, "nomac.pfx").leaf?.sha256).toBe(leaf.cert.sha256);
      expect(inputError(() => readPfx(bytes, "wrong", "nomac.pfx")).code).toBe("pfx-wrong-password");
    });
  });

  it("an empty password works both ways with openssl", () => {
    for (const profile of ["modern", "legacy"] as const) {
      const pfx = file(`empty-${profile}.pfx`, writePfx([leaf.cert], leaf.key.privateKey, "", { profile }));
      expect(openssl(["pkcs12", "-in", pfx, "-nodes", "-passin", "pass:"])).toContain(leaf.pem.trim());
    }
    const out = path.join(dir, "empty-openssl.pfx");
    openssl(["pkcs12", "-export", "-in", file("e-leaf.pem", leaf.pem), "-inkey", file("e-leaf.key", leaf.keyPem), "-out", out, "-passout", "pass:"]);
    expect(readPfx(fs.readFileSync(out), "", "empty-openssl.pfx").leaf?.sha256).toBe(leaf.cert.sha256);
  });

  it("reads BER with indefinite lengths and constructed OCTET STRINGs (NSS pk12util style)", () => {
    const der = writePfx([leaf.cert, ca.cert], leaf.key.privateKey, PASSWORD, { profile: "modern" });
    const pfx = AsnConvert.parse(der, PFX);
    const authSafe = Buffer.from(AsnConvert.parse(pfx.authSafe.content, OctetString).buffer);
    const half = Math.floor(authSafe.length / 2);
    const constructed = indefinite(0x24, primitiveOctets(authSafe.subarray(0, half)), primitiveOctets(authSafe.subarray(half)));
    const idData = Buffer.from("06092a864886f70d010701", "hex"); // OID 1.2.840.113549.1.7.1 (data)
    const contentInfo = indefinite(0x30, idData, indefinite(0xa0, constructed));
    const ber = indefinite(0x30, Buffer.from([0x02, 0x01, 0x03]), contentInfo, Buffer.from(AsnConvert.serialize(pfx.macData!)));
    const contents = readPfx(ber, PASSWORD, "nss.p12");
    expect(contents.certificates.map((c) => c.sha256)).toEqual([leaf.cert.sha256, ca.cert.sha256]);
    expect(contents.leaf?.sha256).toBe(leaf.cert.sha256);
  });

  it("refuses MAC iteration counts above the cap, up to 2^31 - 1 and beyond, and counts that are not positive", () => {
    const der = writePfx([leaf.cert], leaf.key.privateKey, PASSWORD, { profile: "modern" });
    const withMacIterations = (count: number) => {
      const pfx = AsnConvert.parse(der, PFX);
      pfx.macData!.iterations = count;
      return Buffer.from(AsnConvert.serialize(pfx));
    };
    for (const count of [MAX_PFX_ITERATIONS + 1, 2 ** 31 - 1, 2 ** 40]) {
      const error = inputError(() => readPfx(withMacIterations(count), PASSWORD, "crafted.pfx"));
      expect(error.code, String(count)).toBe("pfx-iterations-too-high");
      expect(error.message).toContain(`asks for ${count} iterations`);
    }
    expect(inputError(() => readPfx(withMacIterations(0), PASSWORD, "zero.pfx")).code).toBe("pfx-corrupt");
  });

  it("a truncated file is reported as damaged, not as a wrong password", () => {
    const bytes = writePfx([leaf.cert], leaf.key.privateKey, PASSWORD, { profile: "modern" });
    const error = inputError(() => readPfx(bytes.subarray(0, bytes.length - 40), PASSWORD, "cut.pfx"));
    expect(error.code).toBe("pfx-corrupt");
    expect(error.message).toContain("cut.pfx");
  });
});

/** BER: an element with indefinite length (tag, 0x80, children, end-of-contents). */
function indefinite(tag: number, ...children: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([tag, 0x80]), ...children, Buffer.from([0, 0])]);
}

function primitiveOctets(data: Buffer): Buffer {
  return Buffer.from(AsnConvert.serialize(new OctetString(data)));
}
