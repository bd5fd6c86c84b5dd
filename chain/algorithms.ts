/**
 * The signature and key policy of path building, and signature verification with it.
 *
 * Accepted, as in the Web PKI (CA/Browser Forum BRs 7.1.3) and by Go and rustls-webpki:
 * RSA PKCS#1 v1.5 and RSA-PSS with SHA-256/384/512, ECDSA with SHA-256/384/512, Ed25519
 * and Ed448; RSA keys of 2048 bits or more, EC keys on P-256, P-384 and P-521 by name.
 * Refused, each with a named reason: MD2/MD4/MD5 and SHA-1 signatures ("weak-signature"),
 * SHA-224 and unknown algorithms ("unsupported-signature"), RSA below 2048 bits, DSA,
 * P-192 and other curves, and explicit curve parameters ("weak-key", "unsupported-key").
 * A trust anchor's own self-signature is never checked (clients do not check it either);
 * its key is, since it signs the certificate below it.
 */
import * as crypto from "node:crypto";
import { DerCursor, DerElement, DerError, TAG, contextTag, readOid, readSmallInteger, wholeOf } from "./der";

export interface SignatureAlgorithm {
  /** Dotted OID. */
  oid: string;
  /** Parameters' DER, when present and not NULL. */
  parameters?: Buffer;
}

/** What a signature algorithm means, once understood. */
export interface SignatureScheme {
  /** "sha256WithRSAEncryption", "ecdsa-with-SHA384", "RSASSA-PSS with SHA-256", "Ed25519". */
  name: string;
  /** Key types (KeyObject.asymmetricKeyType) that can verify it. */
  keyTypes: string[];
  /** Node's digest name; null for EdDSA (no prehash). */
  hash: string | null;
  /** "SHA-256" etc.: what people call the hash ("SHA-1" is a finding). */
  hashName?: string;
  pssSaltLength?: number;
}

export type AlgorithmRefusal = { code: "weak-signature" | "unsupported-signature" | "weak-key" | "unsupported-key"; reason: string };

const HASHES: Record<string, [node: string, name: string]> = {
  "1.2.840.113549.2.2": ["md2", "MD2"],
  "1.2.840.113549.2.5": ["md5", "MD5"],
  "1.3.14.3.2.26": ["sha1", "SHA-1"],
  "2.16.840.1.101.3.4.2.4": ["sha224", "SHA-224"],
  "2.16.840.1.101.3.4.2.1": ["sha256", "SHA-256"],
  "2.16.840.1.101.3.4.2.2": ["sha384", "SHA-384"],
  "2.16.840.1.101.3.4.2.3": ["sha512", "SHA-512"],
};

const RSA = ["rsa"];
const SCHEMES: Record<string, Omit<SignatureScheme, "hashName"> & { hashName: string }> = {
  "1.2.840.113549.1.1.2": { name: "md2WithRSAEncryption", keyTypes: RSA, hash: "md2", hashName: "MD2" },
  "1.2.840.113549.1.1.3": { name: "md4WithRSAEncryption", keyTypes: RSA, hash: "md4", hashName: "MD4" },
  "1.2.840.113549.1.1.4": { name: "md5WithRSAEncryption", keyTypes: RSA, hash: "md5", hashName: "MD5" },
  "1.2.840.113549.1.1.5": { name: "sha1WithRSAEncryption", keyTypes: RSA, hash: "sha1", hashName: "SHA-1" },
  "1.3.14.3.2.29": { name: "sha1WithRSA (OIW)", keyTypes: RSA, hash: "sha1", hashName: "SHA-1" },
  "1.2.840.113549.1.1.14": { name: "sha224WithRSAEncryption", keyTypes: RSA, hash: "sha224", hashName: "SHA-224" },
  "1.2.840.113549.1.1.11": { name: "sha256WithRSAEncryption", keyTypes: RSA, hash: "sha256", hashName: "SHA-256" },
  "1.2.840.113549.1.1.12": { name: "sha384WithRSAEncryption", keyTypes: RSA, hash: "sha384", hashName: "SHA-384" },
  "1.2.840.113549.1.1.13": { name: "sha512WithRSAEncryption", keyTypes: RSA, hash: "sha512", hashName: "SHA-512" },
  "1.2.840.10045.4.1": { name: "ecdsa-with-SHA1", keyTypes: ["ec"], hash: "sha1", hashName: "SHA-1" },
  "1.2.840.10045.4.3.1": { name: "ecdsa-with-SHA224", keyTypes: ["ec"], hash: "sha224", hashName: "SHA-224" },
  "1.2.840.10045.4.3.2": { name: "ecdsa-with-SHA256", keyTypes: ["ec"], hash: "sha256", hashName: "SHA-256" },
  "1.2.840.10045.4.3.3": { name: "ecdsa-with-SHA384", keyTypes: ["ec"], hash: "sha384", hashName: "SHA-384" },
  "1.2.840.10045.4.3.4": { name: "ecdsa-with-SHA512", keyTypes: ["ec"], hash: "sha512", hashName: "SHA-512" },
  "1.2.840.10040.4.3": { name: "dsa-with-SHA1", keyTypes: ["dsa"], hash: "sha1", hashName: "SHA-1" },
  "2.16.840.1.101.3.4.3.1": { name: "dsa-with-SHA224", keyTypes: ["dsa"], hash: "sha224", hashName: "SHA-224" },
  "2.16.840.1.101.3.4.3.2": { name: "dsa-with-SHA256", keyTypes: ["dsa"], hash: "sha256", hashName: "SHA-256" },
  "1.3.101.112": { name: "Ed25519", keyTypes: ["ed25519"], hash: null, hashName: "Ed25519" },
  "1.3.101.113": { name: "Ed448", keyTypes: ["ed448"], hash: null, hashName: "Ed448" },
};

const RSASSA_PSS = "1.2.840.113549.1.1.10";
const MGF1 = "1.2.840.113549.1.1.8";
const WEAK_HASHES = new Set(["md2", "md4", "md5", "sha1"]);
const STRONG_HASHES = new Set(["sha256", "sha384", "sha512", null]);

/** Reads an AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }. */
export function readAlgorithm(der: Buffer, element: DerElement, what: string): SignatureAlgorithm {
  const fields = DerCursor.inside(der, element, what);
  const oid = readOid(der, fields.next(TAG.OID, "algorithm"), what);
  const parameters = fields.done ? undefined : fields.next(undefined, "parameters");
  fields.finish();
  // NULL parameters (RSA) are the same as none; other parameters are kept (a slice costs more than reading the element).
  return parameters && !(parameters.tag === TAG.NULL && parameters.end === parameters.contentStart) ? { oid, parameters: wholeOf(der, parameters) } : { oid };
}

/** The scheme of an algorithm, or a refusal saying why it is not one chainsmith verifies. */
export function signatureScheme(algorithm: SignatureAlgorithm): SignatureScheme | AlgorithmRefusal {
  if (algorithm.oid === RSASSA_PSS) return pssScheme(algorithm);
  const scheme = SCHEMES[algorithm.oid];
  if (!scheme) return { code: "unsupported-signature", reason: `uses signature algorithm ${algorithm.oid}, which chainsmith does not know` };
  return scheme;
}

/** Why a signature scheme is refused for path building, or undefined when it is accepted. */
export function schemeRefusal(scheme: SignatureScheme): AlgorithmRefusal | undefined {
  if (WEAK_HASHES.has(scheme.hash ?? "")) return { code: "weak-signature", reason: `is signed with ${scheme.name}: ${scheme.hashName} signatures are refused (collisions are practical; browsers and Go reject them)` };
  if (scheme.keyTypes.includes("dsa")) return { code: "weak-key", reason: `is signed with ${scheme.name}: DSA is refused (no TLS client still accepts it)` };
  if (!STRONG_HASHES.has(scheme.hash)) return { code: "unsupported-signature", reason: `is signed with ${scheme.name}, outside the Web PKI's algorithms (SHA-256, SHA-384, SHA-512)` };
  return undefined;
}

// RSASSA-PSS-params (RFC 4055): hash [0], maskGen [1] (MGF1 with a hash), saltLength [2], trailerField [3]; defaults SHA-1, MGF1-SHA-1, 20, 1.
function pssScheme(algorithm: SignatureAlgorithm): SignatureScheme | AlgorithmRefusal {
  let hash = "1.3.14.3.2.26";
  let mgfHash = hash;
  let salt = 20;
  try {
    const p = algorithm.parameters;
    if (p) {
      const fields = DerCursor.inside(p, single(p, TAG.SEQUENCE, "RSASSA-PSS parameters"), "RSASSA-PSS parameters");
      const hashField = fields.optional(contextTag(0, true), "hashAlgorithm");
      if (hashField) hash = algorithmOidIn(p, hashField, "hashAlgorithm");
      const mgfField = fields.optional(contextTag(1, true), "maskGenAlgorithm");
      if (mgfField) {
        const mgf = DerCursor.inside(p, DerCursor.inside(p, mgfField, "maskGenAlgorithm").next(TAG.SEQUENCE), "maskGenAlgorithm");
        if (readOid(p, mgf.next(TAG.OID), "mask generation") !== MGF1) throw new DerError("mask generation is not MGF1");
        mgfHash = readOid(p, DerCursor.inside(p, mgf.next(TAG.SEQUENCE), "MGF1 hash").next(TAG.OID), "MGF1 hash");
      }
      const saltField = fields.optional(contextTag(2, true), "saltLength");
      if (saltField) salt = readSmallInteger(p, DerCursor.inside(p, saltField, "saltLength").next(TAG.INTEGER), "saltLength");
      const trailer = fields.optional(contextTag(3, true), "trailerField");
      if (trailer && readSmallInteger(p, DerCursor.inside(p, trailer, "trailerField").next(TAG.INTEGER), "trailerField") !== 1) throw new DerError("trailerField is not 1");
      fields.finish();
    }
  } catch (e) {
    return { code: "unsupported-signature", reason: `has malformed RSASSA-PSS parameters (${(e as Error).message})` };
  }
  const [node, name] = HASHES[hash] ?? [];
  if (!node || hash !== mgfHash) return { code: "unsupported-signature", reason: "is signed with RSASSA-PSS parameters chainsmith does not verify (an unknown hash, or an MGF1 hash unlike the message hash)" };
  return { name: `RSASSA-PSS with ${name}`, keyTypes: ["rsa", "rsa-pss"], hash: node, hashName: name, pssSaltLength: salt };
}

/** The one element `der` consists of, with `tag`. */
function single(der: Buffer, tag: number, what: string): DerElement {
  const cursor = new DerCursor(der, 0, der.length, what);
  const element = cursor.next(tag);
  cursor.finish();
  return element;
}

/** The OID of the AlgorithmIdentifier inside an explicitly tagged field. */
function algorithmOidIn(der: Buffer, explicit: DerElement, what: string): string {
  const inner = DerCursor.inside(der, explicit, what);
  const algorithm = inner.next(TAG.SEQUENCE, "AlgorithmIdentifier");
  inner.finish();
  return readOid(der, DerCursor.inside(der, algorithm, what).next(TAG.OID), what);
}

/** Verifies `signature` over `tbs` with `key` under `scheme`; false on any failure. */
export function verifySignature(scheme: SignatureScheme, tbs: Buffer, signature: Buffer, key: crypto.KeyObject): boolean {
  if (!scheme.keyTypes.includes(key.asymmetricKeyType ?? "")) return false;
  try {
    const options = scheme.pssSaltLength === undefined ? key : { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.pssSaltLength };
    return crypto.verify(scheme.hash, tbs, options, signature);
  } catch {
    return false;
  }
}

const CURVES: Record<string, { name: string; accepted: boolean }> = {
  "1.2.840.10045.3.1.7": { name: "P-256", accepted: true },
  "1.3.132.0.34": { name: "P-384", accepted: true },
  "1.3.132.0.35": { name: "P-521", accepted: true },
  "1.2.840.10045.3.1.1": { name: "P-192", accepted: false },
  "1.3.132.0.33": { name: "P-224", accepted: false },
  "1.3.132.0.10": { name: "secp256k1", accepted: false },
};

const KEY_ALGORITHMS: Record<string, string> = {
  "1.2.840.113549.1.1.1": "RSA",
  [RSASSA_PSS]: "RSA-PSS",
  "1.2.840.10045.2.1": "EC",
  "1.2.840.10040.4.1": "DSA",
  "1.3.101.112": "Ed25519",
  "1.3.101.113": "Ed448",
};

const MIN_RSA_BITS = 2048;

/** Why a SubjectPublicKeyInfo's key is refused, or undefined when it is accepted. `key` is its decoded form, if it decodes. */
export function keyRefusal(spki: Buffer, key: crypto.KeyObject | undefined): AlgorithmRefusal | undefined {
  let algorithm: SignatureAlgorithm;
  try {
    const cursor = new DerCursor(spki, 0, spki.length, "SubjectPublicKeyInfo");
    const fields = DerCursor.inside(spki, cursor.next(TAG.SEQUENCE), "SubjectPublicKeyInfo");
    algorithm = readAlgorithm(spki, fields.next(TAG.SEQUENCE, "algorithm"), "public key algorithm");
  } catch (e) {
    return { code: "unsupported-key", reason: `has an unreadable public key (${(e as Error).message})` };
  }
  const type = KEY_ALGORITHMS[algorithm.oid];
  if (!type) return { code: "unsupported-key", reason: `has a public key of algorithm ${algorithm.oid}, which chainsmith does not know` };
  if (type === "DSA") return { code: "weak-key", reason: "has a DSA key: refused (no TLS client still accepts DSA)" };
  if (type === "EC") {
    const params = algorithm.parameters;
    if (!params || params[0] !== TAG.OID) return { code: "unsupported-key", reason: "has an EC key with explicit curve parameters: refused (only named curves are accepted, as RFC 5480 requires)" };
    let curveOid: string;
    try {
      curveOid = readOid(params, single(params, TAG.OID, "curve"), "curve");
    } catch (e) {
      return { code: "unsupported-key", reason: `has an unreadable EC curve (${(e as Error).message})` };
    }
    const curve = CURVES[curveOid];
    if (!curve?.accepted) return { code: "weak-key", reason: `has an EC key on ${curve?.name ?? `curve ${curveOid}`}: only P-256, P-384 and P-521 are accepted` };
  }
  if (!key) return { code: "unsupported-key", reason: `has a ${type} public key that does not decode` };
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if ((type === "RSA" || type === "RSA-PSS") && (bits ?? 0) < MIN_RSA_BITS) return { code: "weak-key", reason: `has an RSA key of ${bits} bits: below ${MIN_RSA_BITS} bits is refused` };
  return undefined;
}
