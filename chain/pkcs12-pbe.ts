// Password-based encryption and MAC of PKCS#12 files, on node:crypto ciphers and hashes:
// the RFC 7292 appendix B key derivation (3DES and RC2 PBE, and the MAC), and PBES2 with
// PBKDF2 (RFC 8018) for AES. RC2, which legacy exports use for the certificates, is not in
// OpenSSL 3's default provider: chain/rc2.ts decrypts it. RC4 and single DES get a named error
// that says how to re-export. Iteration counts are capped: each costs time before the
// password can even be checked.
import * as crypto from "node:crypto";
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { ChainsmithInputError } from "./errors";
import { rc2CbcDecrypt } from "./rc2";

/** How a PFX is protected. */
export type PfxProfile = "modern" | "legacy";

const OID = {
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  pbeSha1TripleDes: "1.2.840.113549.1.12.1.3",
  pbeSha1TwoKeyTripleDes: "1.2.840.113549.1.12.1.4",
  hmacWithSha256: "1.2.840.113549.2.9",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
};

const PBKDF2_PRFS: Record<string, string> = {
  "1.2.840.113549.2.7": "sha1",
  "1.2.840.113549.2.8": "sha224",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};

const PBES2_CIPHERS: Record<string, { cipher: string; keyLength: number }> = {
  "2.16.840.1.101.3.4.1.2": { cipher: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { cipher: "aes-192-cbc", keyLength: 24 },
  "2.16.840.1.101.3.4.1.42": { cipher: "aes-256-cbc", keyLength: 32 },
  "1.2.840.113549.3.7": { cipher: "des-ede3-cbc", keyLength: 24 },
};

/** PKCS#12 PBE ciphers: a node:crypto cipher, or RC2 with its effective key bits. */
const PKCS12_PBE_CIPHERS: Record<string, { cipher: string; keyLength: number } | { rc2Bits: number; keyLength: number }> = {
  [OID.pbeSha1TripleDes]: { cipher: "des-ede3-cbc", keyLength: 24 },
  [OID.pbeSha1TwoKeyTripleDes]: { cipher: "des-ede-cbc", keyLength: 16 },
  "1.2.840.113549.1.12.1.5": { rc2Bits: 128, keyLength: 16 },
  "1.2.840.113549.1.12.1.6": { rc2Bits: 40, keyLength: 5 },
};

/** Ciphers of old exports, by name, for the error message. */
const OBSOLETE: Record<string, string> = {
  "1.2.840.113549.1.12.1.1": "RC4-128 (pbeWithSHAAnd128BitRC4)",
  "1.2.840.113549.1.12.1.2": "RC4-40 (pbeWithSHAAnd40BitRC4)",
  "1.2.840.113549.1.5.3": "DES (pbeWithMD5AndDES-CBC)",
  "1.2.840.113549.1.5.10": "DES (pbeWithSHA1AndDES-CBC)",
};

/**
 * The most iterations a PFX may ask of its key derivation or MAC. Exports use 2,000 (Windows),
 * 2,048 (OpenSSL), 10,000 (Java) and up to 600,000 (current PBKDF2 advice); at the cap one
 * derivation costs about a second here.
 */
export const MAX_PFX_ITERATIONS = 1_000_000;

export const MAC_HASHES: Record<string, { name: string; length: number; block: number }> = {
  "1.3.14.3.2.26": { name: "sha1", length: 20, block: 64 },
  "2.16.840.1.101.3.4.2.4": { name: "sha224", length: 28, block: 64 },
  "2.16.840.1.101.3.4.2.1": { name: "sha256", length: 32, block: 64 },
  "2.16.840.1.101.3.4.2.2": { name: "sha384", length: 48, block: 128 },
  "2.16.840.1.101.3.4.2.3": { name: "sha512", length: 64, block: 128 },
};

/** The MAC hash and iteration count each profile writes. */
export const PROFILE_MAC: Record<PfxProfile, { hashOid: string; iterations: number }> = {
  modern: { hashOid: "2.16.840.1.101.3.4.2.1", iterations: 2048 },
  legacy: { hashOid: "1.3.14.3.2.26", iterations: 2048 },
};

const ITERATIONS = 2048;

class Pbkdf2Params {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterationCount = 0;
  @AsnProp({ type: AsnPropTypes.Integer, optional: true }) keyLength?: number;
  @AsnProp({ type: AlgorithmIdentifier, optional: true }) prf?: AlgorithmIdentifier;
}

class Pbes2Params {
  @AsnProp({ type: AlgorithmIdentifier }) keyDerivationFunc = new AlgorithmIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) encryptionScheme = new AlgorithmIdentifier();
}

class Pkcs12PbeParams {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterations = 0;
}

/** Thrown when decryption fails: with a verified MAC it means a corrupt file, without one a wrong password. */
export class PbeDecryptError extends Error {}

/** Decrypts `data` protected by `algorithm` (PBES2, or PKCS#12 3DES or RC2 PBE) with `password`. */
export function decryptWithPassword(algorithm: AlgorithmIdentifier, data: Buffer, password: string, where: string): Buffer {
  const { cipher, rc2Bits, key, iv } = cipherFor(algorithm, password, where);
  try {
    if (rc2Bits !== undefined) return rc2CbcDecrypt(key, rc2Bits, iv, data);
    const decipher = crypto.createDecipheriv(cipher!, key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new PbeDecryptError("decryption failed");
  }
}

/** Encrypts `data` the way `profile` says, with fresh salt and IV (from `random`: a deterministic source makes a reproducible file). */
export function encryptWithPassword(profile: PfxProfile, data: Buffer, password: string, random: (size: number) => Buffer = crypto.randomBytes): { algorithm: AlgorithmIdentifier; data: Buffer } {
  const algorithm = profile === "modern" ? newPbes2Algorithm(random) : newPkcs12PbeAlgorithm(random);
  const { cipher, key, iv } = cipherFor(algorithm, password, "new PFX");
  const encipher = crypto.createCipheriv(cipher!, key, iv);
  return { algorithm, data: Buffer.concat([encipher.update(data), encipher.final()]) };
}

/** The RFC 7292 HMAC over `data`, with the key derived from the password (ID 3). */
export function pkcs12Mac(hashOid: string, password: string, salt: Buffer, iterations: number | string, data: Buffer, where: string): Buffer {
  const hash = MAC_HASHES[hashOid];
  if (!hash) {
    throw new ChainsmithInputError(
      "pfx-unsupported-mac",
      `${where}: the PFX integrity check uses an algorithm chainsmith does not support (${hashOid}). Re-export it with a SHA-1 or SHA-256 MAC (openssl pkcs12 -export -macalg sha256).`,
    );
  }
  const key = pkcs12Kdf(hash, bmpPassword(password), salt, 3, iterationCount(iterations, "integrity check", where), hash.length);
  return crypto.createHmac(hash.name, key).update(data).digest();
}

/**
 * An iteration count as the file gives it (asn1-schema reads INTEGERs of 4 bytes and more as
 * decimal strings), refused when it is not a positive integer or above MAX_PFX_ITERATIONS.
 */
function iterationCount(value: number | string, what: string, where: string): number {
  const count = typeof value === "string" && /^\d+$/.test(value) ? BigInt(value) : typeof value === "number" && Number.isInteger(value) ? BigInt(value) : 0n;
  if (count < 1n) throw new ChainsmithInputError("pfx-corrupt", `${where}: the ${what}'s iteration count (${String(value)}) is not a positive integer. Export the PFX again.`);
  if (count > BigInt(MAX_PFX_ITERATIONS)) {
    throw new ChainsmithInputError(
      "pfx-iterations-too-high",
      `${where}: the ${what} asks for ${count} iterations of its password derivation; chainsmith reads at most ${MAX_PFX_ITERATIONS} (exports use 2,000 to 600,000). ` +
        `Re-export the PFX with fewer (openssl pkcs12 -export -iter 2048; on OpenSSL 1.x also -maciter).`,
    );
  }
  return Number(count);
}

interface CipherChoice {
  /** A node:crypto cipher name; absent for RC2. */
  cipher?: string;
  rc2Bits?: number;
  key: Buffer;
  iv: Buffer;
}

function cipherFor(algorithm: AlgorithmIdentifier, password: string, where: string): CipherChoice {
  const oid = algorithm.algorithm;
  if (oid === OID.pbes2) return pbes2Cipher(parameters(algorithm, Pbes2Params, where), password, where);
  const pbe = PKCS12_PBE_CIPHERS[oid];
  if (pbe) {
    const params = parameters(algorithm, Pkcs12PbeParams, where);
    const iterations = iterationCount(params.iterations, "encryption", where);
    const salt = Buffer.from(params.salt.buffer);
    const sha1 = MAC_HASHES["1.3.14.3.2.26"];
    const bmp = bmpPassword(password);
    return {
      ...("cipher" in pbe ? { cipher: pbe.cipher } : { rc2Bits: pbe.rc2Bits }),
      key: pkcs12Kdf(sha1, bmp, salt, 1, iterations, pbe.keyLength),
      iv: pkcs12Kdf(sha1, bmp, salt, 2, iterations, 8),
    };
  }
  throw unsupportedCipher(oid, where);
}

function pbes2Cipher(params: Pbes2Params, password: string, where: string): CipherChoice {
  if (params.keyDerivationFunc.algorithm !== OID.pbkdf2) throw unsupportedCipher(params.keyDerivationFunc.algorithm, where);
  const kdf = parameters(params.keyDerivationFunc, Pbkdf2Params, where);
  const prf = PBKDF2_PRFS[kdf.prf?.algorithm ?? "1.2.840.113549.2.7"];
  const scheme = PBES2_CIPHERS[params.encryptionScheme.algorithm];
  if (!prf) throw unsupportedCipher(kdf.prf?.algorithm ?? "", where);
  if (!scheme) throw unsupportedCipher(params.encryptionScheme.algorithm, where);
  const iv = Buffer.from(parameters(params.encryptionScheme, OctetString, where).buffer);
  const salt = Buffer.from(kdf.salt.buffer);
  // A keyLength other than the cipher's cannot decrypt; a huge one would only cost memory.
  if (kdf.keyLength !== undefined && Number(kdf.keyLength) !== scheme.keyLength) {
    throw new ChainsmithInputError("pfx-corrupt", `${where}: the key length ${String(kdf.keyLength)} does not fit ${scheme.cipher}. Export the PFX again.`);
  }
  const key = crypto.pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterationCount(kdf.iterationCount, "encryption", where), scheme.keyLength, prf);
  return { cipher: scheme.cipher, key, iv };
}

function newPbes2Algorithm(random: (size: number) => Buffer): AlgorithmIdentifier {
  const kdf = new Pbkdf2Params();
  kdf.salt = new OctetString(random(16));
  kdf.iterationCount = ITERATIONS;
  kdf.prf = new AlgorithmIdentifier({ algorithm: OID.hmacWithSha256, parameters: null });
  const params = new Pbes2Params();
  params.keyDerivationFunc = new AlgorithmIdentifier({ algorithm: OID.pbkdf2, parameters: AsnConvert.serialize(kdf) });
  params.encryptionScheme = new AlgorithmIdentifier({
    algorithm: OID.aes256Cbc,
    parameters: AsnConvert.serialize(new OctetString(random(16))),
  });
  return new AlgorithmIdentifier({ algorithm: OID.pbes2, parameters: AsnConvert.serialize(params) });
}

function newPkcs12PbeAlgorithm(random: (size: number) => Buffer): AlgorithmIdentifier {
  const params = new Pkcs12PbeParams();
  params.salt = new OctetString(random(8));
  params.iterations = ITERATIONS;
  return new AlgorithmIdentifier({ algorithm: OID.pbeSha1TripleDes, parameters: AsnConvert.serialize(params) });
}

function parameters<T>(algorithm: AlgorithmIdentifier, type: new () => T, where: string): T {
  try {
    if (!algorithm.parameters) throw new Error("parameters missing");
    return AsnConvert.parse(algorithm.parameters, type);
  } catch (e) {
    throw new ChainsmithInputError("pfx-corrupt", `${where}: the encryption parameters (${algorithm.algorithm}) are malformed (${(e as Error).message}). Export the PFX again.`);
  }
}

function unsupportedCipher(oid: string, where: string): ChainsmithInputError {
  const name = OBSOLETE[oid] ?? `algorithm ${oid}`;
  return new ChainsmithInputError(
    "pfx-unsupported-cipher",
    `${where}: encrypted with ${name}, which chainsmith does not support. Re-export the PFX with AES or 3DES ` +
      `(Windows: export with "AES256-SHA256"; OpenSSL 3: "openssl pkcs12 -legacy -in OLD.pfx -nodes | openssl pkcs12 -export -out NEW.pfx").`,
  );
}

/** The password as a BMPString with its two-byte terminator, as RFC 7292 B.1 asks. */
function bmpPassword(password: string): Buffer {
  const utf16le = Buffer.from(`${password}\0`, "utf16le");
  return utf16le.swap16();
}

/** RFC 7292 appendix B.2: derives `length` bytes of key (ID 1), IV (ID 2) or MAC key (ID 3). */
function pkcs12Kdf(hash: { name: string; length: number; block: number }, password: Buffer, salt: Buffer, id: number, iterations: number, length: number): Buffer {
  const v = hash.block;
  const diversifier = Buffer.alloc(v, id);
  const input = Buffer.concat([repeatToBlocks(salt, v), repeatToBlocks(password, v)]);
  const output: Buffer[] = [];
  for (let produced = 0; produced < length; produced += hash.length) {
    let a: Buffer = crypto.createHash(hash.name).update(diversifier).update(input).digest();
    // node:crypto has no PKCS#12 KDF: the iterations are a loop of native hashes.
    for (let r = 1; r < iterations; r++) a = digest(hash.name, a);
    output.push(a);
    const b = repeatToBlocks(a, v);
    for (let j = 0; j < input.length; j += v) addWithCarryPlusOne(input, j, v, b);
  }
  return Buffer.concat(output).subarray(0, length);
}

// The one-shot hash (Node >= 20.12) costs half a Hash object per iteration (0.6 against 1.1 us here).
const digest: (name: string, data: Buffer) => Buffer =
  typeof crypto.hash === "function" ? (name, data) => crypto.hash(name, data, "buffer") : (name, data) => crypto.createHash(name).update(data).digest();

function repeatToBlocks(data: Buffer, v: number): Buffer {
  if (data.length === 0) return Buffer.alloc(0);
  const out = Buffer.alloc(v * Math.ceil(data.length / v));
  for (let i = 0; i < out.length; i++) out[i] = data[i % data.length];
  return out;
}

// I_j = (I_j + B + 1) mod 2^(8v), big-endian, in place.
function addWithCarryPlusOne(target: Buffer, offset: number, v: number, b: Buffer): void {
  let carry = 1;
  for (let k = v - 1; k >= 0; k--) {
    const sum = target[offset + k] + b[k] + carry;
    target[offset + k] = sum & 0xff;
    carry = sum >> 8;
  }
}
