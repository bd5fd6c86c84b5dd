// Reads a PKCS#12 (.pfx/.p12) file: what chainsmith writes, what OpenSSL 3 writes by
// default (PBES2 AES-256, SHA-256 MAC), and 3DES files from Windows and `openssl -legacy`.
// The password never appears in a message.
import * as crypto from "node:crypto";
import * as asn1js from "asn1js";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { ContentInfo, id_data, id_encryptedData } from "@peculiar/asn1-cms";
import { EncryptedPrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import {
  AuthenticatedSafe,
  CertBag,
  PFX,
  SafeBag,
  SafeContents,
  id_certBag,
  id_keyBag,
  id_pkcs8ShroudedKeyBag,
  id_SafeContents,
  id_x509Certificate,
} from "@peculiar/asn1-pfx";
import { Certificate } from "./certificate";
import { ChainsmithInputError } from "./errors";
import { EncryptedData, readBagAttributes } from "./pfx-asn1";
import { PbeDecryptError, decryptWithPassword, pkcs12Mac } from "./pkcs12-pbe";
import { keySpkiSha256 } from "./key";

export interface PfxContents {
  /** Every certificate in the file, in file order. */
  certificates: Certificate[];
  /** The private key, when the file has one. */
  key?: crypto.KeyObject;
  /** The certificate whose public key matches `key`. */
  leaf?: Certificate;
  /** The friendlyName of the key (or of the first certificate) bag, when set. */
  friendlyName?: string;
}

/** Opens a PFX with its password; `source` names the file in errors. */
export function readPfx(bytes: Buffer, password: string, source: string): PfxContents {
  const pfx = parseOrCorrupt(() => AsnConvert.parse(bytes, PFX), source, "not a PKCS#12 (PFX) file");
  if (pfx.version !== 3) throw corrupt(source, `PKCS#12 version ${pfx.version}, expected 3`);
  if (pfx.authSafe.contentType !== id_data) {
    throw new ChainsmithInputError(
      "pfx-unsupported",
      `${source}: the PFX uses public-key integrity mode, which chainsmith does not read. Export it again with a password.`,
    );
  }
  const authSafeBytes = octets(pfx.authSafe.content, source);
  // asn1-schema leaves a default MacData in place when the file has none (openssl -nomac).
  const hasMac = pfx.macData !== undefined && pfx.macData.mac.digestAlgorithm.algorithm !== "";
  if (pfx.macData && hasMac) {
    const { mac, macSalt, iterations } = pfx.macData;
    const expected = pkcs12Mac(mac.digestAlgorithm.algorithm, password, Buffer.from(macSalt.buffer), iterations, authSafeBytes, source);
    const actual = Buffer.from(mac.digest.buffer);
    if (expected.length !== actual.length || !crypto.timingSafeEqual(expected, actual)) throw wrongPassword(source);
  }
  const reader = new BagReader(password, source, hasMac);
  const safe = parseOrCorrupt(() => AsnConvert.parse(authSafeBytes, AuthenticatedSafe), source, "bad AuthenticatedSafe");
  for (const info of safe) reader.readSafeContents(safeContentsOf(info, password, source, hasMac));
  return reader.result();
}

class BagReader {
  private readonly certificates: Certificate[] = [];
  private readonly keys: { key: crypto.KeyObject; friendlyName?: string }[] = [];
  private certificateFriendlyName: string | undefined;

  constructor(
    private readonly password: string,
    private readonly source: string,
    private readonly macVerified: boolean,
  ) {}

  readSafeContents(contents: SafeContents): void {
    for (const bag of contents) this.readBag(bag);
  }

  result(): PfxContents {
    if (this.keys.length > 1) {
      throw new ChainsmithInputError(
        "multiple-keys",
        `${this.source}: the PFX holds ${this.keys.length} private keys; chainsmith cannot tell which one to use. Export a PFX with only the leaf's key.`,
      );
    }
    const key = this.keys[0];
    const spki = key ? keySpkiSha256(key.key) : undefined;
    return {
      certificates: this.certificates,
      key: key?.key,
      leaf: spki ? this.certificates.find((c) => c.spkiSha256 === spki) : undefined,
      friendlyName: key?.friendlyName ?? this.certificateFriendlyName,
    };
  }

  private readBag(bag: SafeBag): void {
    const where = `${this.source}, ${bagName(bag.bagId)} ${this.certificates.length + this.keys.length + 1}`;
    const { friendlyName } = readBagAttributes(bag.bagAttributes);
    switch (bag.bagId) {
      case id_certBag: {
        const certBag = parseOrCorrupt(() => AsnConvert.parse(bag.bagValue, CertBag), where, "bad certificate bag");
        if (certBag.certId !== id_x509Certificate) return; // SDSI certificates: nobody uses them.
        this.certificates.push(Certificate.fromDer(octets(certBag.certValue, where), where));
        this.certificateFriendlyName ??= friendlyName;
        return;
      }
      case id_keyBag:
        this.keys.push({ key: this.privateKey(Buffer.from(bag.bagValue), where), friendlyName });
        return;
      case id_pkcs8ShroudedKeyBag: {
        const shrouded = parseOrCorrupt(() => AsnConvert.parse(bag.bagValue, EncryptedPrivateKeyInfo), where, "bad shrouded key bag");
        const pkcs8 = decrypt(() =>
          decryptWithPassword(shrouded.encryptionAlgorithm, Buffer.from(shrouded.encryptedData.buffer), this.password, where),
        this.source, this.macVerified);
        this.keys.push({ key: decrypted(() => this.privateKey(pkcs8, where), this.source, this.macVerified, "the decrypted key is unreadable"), friendlyName });
        return;
      }
      case id_SafeContents:
        this.readSafeContents(parseOrCorrupt(() => AsnConvert.parse(bag.bagValue, SafeContents), where, "bad nested SafeContents"));
        return;
      default:
        return; // CRL and secret bags carry nothing chainsmith deploys.
    }
  }

  private privateKey(pkcs8: Buffer, where: string): crypto.KeyObject {
    try {
      return crypto.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
    } catch (e) {
      const unsupported = /unsupported/i.test(String((e as Error).message));
      throw new ChainsmithInputError(
        unsupported ? "unsupported-key-algorithm" : "pfx-corrupt",
        unsupported
          ? `${where}: the private key uses an algorithm this Node/OpenSSL does not support.`
          : `${where}: the private key inside the PFX is unreadable. Export the PFX again.`,
      );
    }
  }
}

function safeContentsOf(info: ContentInfo, password: string, source: string, macVerified: boolean): SafeContents {
  if (info.contentType === id_data) {
    return parseOrCorrupt(() => AsnConvert.parse(octets(info.content, source), SafeContents), source, "bad SafeContents");
  }
  if (info.contentType === id_encryptedData) {
    const encrypted = parseOrCorrupt(() => AsnConvert.parse(info.content, EncryptedData), source, "bad EncryptedData");
    const content = encrypted.encryptedContentInfo;
    const ciphertext = content.encryptedContent?.value ?? concatenated(content.encryptedContent?.constructedValue);
    if (!ciphertext) throw corrupt(source, "EncryptedData without content");
    const where = `${source}, encrypted certificates`;
    const plain = decrypt(() =>
      decryptWithPassword(content.contentEncryptionAlgorithm, Buffer.from(ciphertext.buffer), password, where),
    source, macVerified);
    return decrypted(() => AsnConvert.parse(plain, SafeContents), source, macVerified, "bad decrypted SafeContents");
  }
  throw new ChainsmithInputError(
    "pfx-unsupported",
    `${source}: part of the PFX is protected with public-key encryption (content type ${info.contentType}), which chainsmith does not read. Export it again with a password.`,
  );
}

function decrypt(run: () => Buffer, source: string, macVerified: boolean): Buffer {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof PbeDecryptError)) throw e;
    // With a verified MAC the password is right, so the file is damaged or uses another password inside.
    throw macVerified ? corrupt(source, "a part does not decrypt with the password that passed the integrity check") : wrongPassword(source);
  }
}

/**
 * Reads what a password decrypted. Without a MAC a wrong password is noticed only by the
 * padding, which garbage passes about once in 256 tries: then the content does not parse.
 */
function decrypted<T>(read: () => T, source: string, macVerified: boolean, what: string): T {
  try {
    return read();
  } catch (e) {
    if (macVerified) throw e instanceof ChainsmithInputError ? e : corrupt(source, what);
    throw wrongPassword(source);
  }
}

function concatenated(parts: OctetString[] | undefined): OctetString | undefined {
  return parts?.length ? new OctetString(Buffer.concat(parts.map((p) => Buffer.from(p.buffer)))) : undefined;
}

/**
 * The content of an OCTET STRING, primitive (DER) or constructed (BER, as NSS's pk12util
 * writes). asn1-schema's OctetString reads a constructed one as empty, so asn1js decodes.
 */
function octets(raw: ArrayBuffer, where: string): Buffer {
  const decoded = asn1js.fromBER(raw);
  if (decoded.offset === -1 || !(decoded.result instanceof asn1js.OctetString)) throw corrupt(where, "expected an OCTET STRING");
  return Buffer.from(decoded.result.getValue());
}

function bagName(bagId: string): string {
  return bagId === id_certBag ? "certificate bag" : bagId === id_keyBag || bagId === id_pkcs8ShroudedKeyBag ? "key bag" : "bag";
}

function parseOrCorrupt<T>(parse: () => T, where: string, what: string): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ChainsmithInputError) throw e;
    throw corrupt(where, `${what}: ${(e as Error).message}`);
  }
}

function corrupt(where: string, detail: string): ChainsmithInputError {
  return new ChainsmithInputError("pfx-corrupt", `${where}: the PFX is damaged or not a PFX (${detail}). Export it again.`);
}

function wrongPassword(source: string): ChainsmithInputError {
  return new ChainsmithInputError(
    "pfx-wrong-password",
    `${source}: the password does not open this PFX (the integrity check failed). Check the password, and that the file was copied in binary mode.`,
  );
}
