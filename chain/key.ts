// Private keys in the formats people have (PKCS#8, PKCS#1 RSA, SEC1 EC, encrypted PKCS#8,
// legacy encrypted PEM), and the check that a key belongs to its leaf. node:crypto does
// the decoding; this file turns its failures into messages that say what to do.
// Key material and passphrases never appear in a message.
import * as crypto from "node:crypto";
import { Certificate } from "./certificate";
import { ChainsmithInputError } from "./errors";
import { kindOfDer, kindOfPemLabel, notACertificate, type InputKind } from "./input-kind";
import { assertCompleteDer, decodePemBlocks, inputText, looksLikePem, type PemBlock } from "./pem";

/** Reads the one private key in `input` (a PEM with other blocks around it is fine). */
export function parsePrivateKey(input: Buffer | string, source: string, passphrase?: string): crypto.KeyObject {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const text = inputText(bytes);
  if (text.trim().length === 0) {
    throw new ChainsmithInputError("empty-input", `${source}: the key input is empty. Check the file name and that the file was written completely.`);
  }
  if (looksLikePem(text)) return keyFromPem(text, source, passphrase);
  if (bytes[0] !== 0x30) {
    throw new ChainsmithInputError("not-a-key", `${source}: found no PEM private key block (a "-----BEGIN ... PRIVATE KEY-----" line) and the data is not DER. Give the private key in PEM or DER.`);
  }
  assertCompleteDer(bytes, source);
  return keyFromDer(bytes, source, passphrase);
}

/**
 * Throws "key-mismatch" unless `key` is the private key of `leaf` (same public key).
 * Servers accept a mismatched pair and then fail at reload or handshake time.
 */
export function assertKeyMatchesLeaf(key: crypto.KeyObject, leaf: Certificate): void {
  if (keySpkiSha256(key) !== leaf.spkiSha256) {
    throw new ChainsmithInputError(
      "key-mismatch",
      `The private key does not belong to the leaf certificate ${leaf.label} (${leaf.subject}): their public keys differ. ` +
        `Give the key that was generated with this certificate's request, or the certificate that was issued for this key.`,
    );
  }
}

/** SHA-256 of the public key's SubjectPublicKeyInfo, comparable with Certificate.spkiSha256. */
export function keySpkiSha256(key: crypto.KeyObject): string {
  const publicKey = key.type === "private" ? crypto.createPublicKey(key) : key;
  return crypto.createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex");
}

function keyFromPem(text: string, source: string, passphrase: string | undefined): crypto.KeyObject {
  const blocks = decodePemBlocks(text, source);
  const keys = blocks.filter((b) => isKeyKind(kindOfPemLabel(b.label)));
  if (keys.length === 0) throw noKeyIn(blocks, source);
  if (keys.length > 1) {
    throw new ChainsmithInputError(
      "multiple-keys",
      `${source}: holds ${keys.length} private keys (blocks ${keys.map((k) => k.index).join(", ")}); chainsmith cannot tell which one to use. Give a file with only the leaf's key.`,
    );
  }
  const block = keys[0];
  const where = `${source}, block ${block.index} (${block.label})`;
  const encrypted = kindOfPemLabel(block.label) === "encrypted-private-key" || /ENCRYPTED/.test(block.headers["Proc-Type"] ?? "");
  return createKey({ key: block.text, format: "pem" }, where, encrypted, passphrase);
}

function keyFromDer(der: Buffer, source: string, passphrase: string | undefined): crypto.KeyObject {
  const kind = kindOfDer(der);
  if (kind === "encrypted-private-key") return createKey({ key: der, format: "der", type: "pkcs8" }, source, true, passphrase);
  if (kind !== "private-key") throw notAKey(kind, source);
  for (const type of ["pkcs8", "pkcs1", "sec1"] as const) {
    try {
      return crypto.createPrivateKey({ key: der, format: "der", type });
    } catch {
      // kindOfDer said one of the three parses; try the next.
    }
  }
  throw notAKey("unknown", source);
}

function createKey(
  options: { key: string | Buffer; format: "pem" | "der"; type?: "pkcs8" },
  where: string,
  encrypted: boolean,
  passphrase: string | undefined,
): crypto.KeyObject {
  if (encrypted && passphrase === undefined) {
    throw new ChainsmithInputError(
      "key-passphrase-required",
      `${where}: the private key is encrypted. Give its passphrase (CLI: --key-passphrase-file), or decrypt it with "openssl pkey -in KEY -out KEY.plain".`,
    );
  }
  try {
    return crypto.createPrivateKey(encrypted ? { ...options, passphrase } : options);
  } catch (e) {
    throw keyError(e as Error & { code?: string }, where, encrypted);
  }
}

function keyError(e: Error & { code?: string }, where: string, encrypted: boolean): ChainsmithInputError {
  const reason = `${e.code ?? ""} ${e.message}`;
  // A wrong passphrase passes the padding check 1 time in 256; what it decrypts to then fails
  // in the DECODER ("unsupported"), while an unsupported cipher fails in the EVP layer.
  const undecodable = e.code === "ERR_OSSL_UNSUPPORTED" && /DECODER/.test(e.message);
  if (encrypted && undecodable) return wrongPassphrase(where);
  if (/unsupported|UNSUPPORTED/.test(reason)) {
    return new ChainsmithInputError(
      "unsupported-key-algorithm",
      `${where}: the key (or the cipher protecting it) uses an algorithm this Node/OpenSSL does not support. Convert it to an unencrypted or AES-encrypted PKCS#8 key: "openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY".`,
    );
  }
  if (encrypted && /decrypt|passphrase|BAD_DECRYPT|interrupted or cancelled/i.test(reason)) {
    return wrongPassphrase(where);
  }
  return new ChainsmithInputError("bad-key", `${where}: not a readable private key (${e.message}). Check that the file is not truncated or altered.`);
}

function wrongPassphrase(where: string): ChainsmithInputError {
  return new ChainsmithInputError("key-wrong-passphrase", `${where}: the passphrase does not decrypt the private key. Check the passphrase (and its file's trailing newline).`);
}

function isKeyKind(kind: InputKind): boolean {
  return kind === "private-key" || kind === "encrypted-private-key";
}

function noKeyIn(blocks: PemBlock[], source: string): ChainsmithInputError {
  const kinds = new Set(blocks.map((b) => kindOfPemLabel(b.label)));
  const kind = kinds.has("csr") ? "csr" : kinds.has("certificate") ? "certificate" : kinds.has("public-key") ? "public-key" : "unknown";
  return notAKey(kind, source);
}

function notAKey(kind: InputKind, where: string): ChainsmithInputError {
  switch (kind) {
    case "certificate":
    case "pkcs7":
      return new ChainsmithInputError("certificate-not-key", `${where}: holds certificates but no private key. Give the private key file here.`);
    case "csr":
      return new ChainsmithInputError("csr-not-key", `${where}: this is a certificate signing request (CSR), not a private key. Give the key the CSR was made with.`);
    case "public-key":
      return new ChainsmithInputError("public-key-not-key", `${where}: this is a public key; the private key is needed.`);
    case "pfx":
      return notACertificate("pfx", where); // the same advice: open it with its password
    default:
      return new ChainsmithInputError("not-a-key", `${where}: not a private key in PEM or DER (PKCS#8, PKCS#1 RSA, SEC1 EC). Check the file.`);
  }
}
