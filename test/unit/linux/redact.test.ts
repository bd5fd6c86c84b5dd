import * as crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { redact } from "../../../providers/redact";

/** Hex as `od -An -tx1` prints it: 16 bytes a line, space-separated. */
const odHex = (bytes: Buffer) => (bytes.toString("hex").match(/.{1,32}/g) ?? []).map((line) => ` ${line.match(/../g)!.join(" ")}`).join("\n");
/** Hex as `openssl pkey -text` prints a private scalar: 15 bytes a line, colon-separated, indented. */
const opensslHex = (bytes: Buffer) => (bytes.toString("hex").match(/.{1,30}/g) ?? []).map((line) => `    ${line.match(/../g)!.join(":")}:`).join("\n");
/** Base64 wrapped at 76 columns, as `base64` prints it. */
const wrapped = (text: string, width = 76) => (text.match(new RegExp(`.{1,${width}}`, "g")) ?? []).join("\n");

/** Every 16-character piece of `encoded` (whitespace removed): none may be left in redacted text. */
const pieces = (encoded: string) => (encoded.replace(/\s/g, "").match(/.{16}/g) ?? []);

describe("redact", () => {
  it("removes PEM private key blocks and every line of given secrets", () => {
    const key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
    const text = `nginx: bad key ${key} and the line MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg alone; passphrase hunter2-xyz`;
    const out = redact(text, [key, "hunter2-xyz"]);
    expect(out).not.toContain("MIGHAgEA");
    expect(out).not.toContain("hunter2-xyz");
    expect(out).toContain("[redacted private key]");
  });

  for (const type of ["rsa", "ec", "ed25519"] as const) {
    it(`removes a ${type} key printed as base64 DER, as hex (od, xxd -p, openssl -text, upper case) and as base64 of its PEM file`, () => {
      const { privateKey } = type === "rsa" ? crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }) : type === "ec" ? crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }) : crypto.generateKeyPairSync("ed25519");
      const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      const der = privateKey.export({ type: "pkcs8", format: "der" });
      const scalar = Buffer.from((privateKey.export({ format: "jwk" }) as { d: string }).d, "base64url");
      const forms = {
        "base64 DER on one line": der.toString("base64"),
        "base64url DER": der.toString("base64url"),
        "od -An -tx1": odHex(der),
        "xxd -p": wrapped(der.toString("hex"), 60),
        "basenc --base16": wrapped(der.toString("hex").toUpperCase()),
        "the private scalar as openssl -text prints it": opensslHex(scalar),
        "base64 of the PEM file": wrapped(Buffer.from(pem).toString("base64")),
      };
      for (const [name, encoded] of Object.entries(forms)) {
        const out = redact(`config test: unexpected key\n${encoded}\nline 3: syntax error`, [pem]);
        expect(out, name).toContain("[redacted]");
        expect(out, name).toContain("config test: unexpected key");
        expect(out, name).toContain("line 3: syntax error");
        for (const piece of pieces(encoded)) expect(out, name).not.toContain(piece);
      }
    });
  }

  it("finds the key inside an encrypted PEM given with its passphrase, and passphrases in hex and base64", () => {
    const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const passphrase = "tls-key-passphrase-9d41";
    const encrypted = privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase }).toString();
    const der = privateKey.export({ type: "pkcs8", format: "der" }).toString("base64");
    const out = redact(`key ${der}; pass ${Buffer.from(passphrase).toString("hex")} or ${Buffer.from(passphrase).toString("base64")}`, [encrypted, passphrase]);
    expect(out).toBe("key [redacted]; pass [redacted] or [redacted]");
  });

  it("leaves public material and ordinary output alone", () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const spki = publicKey.export({ type: "spki", format: "der" });
    const text = `nginx: [emerg] cannot load certificate "/etc/nginx/tls/fullchain.pem": PEM_read_bio_X509_AUX() failed\npublic key ${spki.toString("base64")}\nmodulus ${odHex(spki)}\nsha256 ${crypto.createHash("sha256").update(spki).digest("hex")}`;
    expect(redact(text, [pem])).toBe(text);
  });
});
