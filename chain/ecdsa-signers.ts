/**
 * The public keys that can have made a certificate's ECDSA signature, recovered from the
 * signature itself (SEC 1 v2, 4.1.6, public key recovery). A certificate whose issuer name
 * is shared by a thousand candidates (same-named decoys, a crowded pool) then costs a few
 * recoveries instead of one verification per candidate.
 *
 * Exact, not a heuristic: for a signature (r, s) over hash e, any key Q that verifies it
 * gives R = (e/s)*G + (r/s)*Q with x(R) = r (mod n), so Q = r^-1 (s*R - e*G) for one of the at
 * most four curve points R with that x. A key outside that set cannot verify the signature;
 * a key inside it is still verified the usual way by the caller.
 */
import * as crypto from "node:crypto";
import type * as Modular from "@noble/curves/abstract/modular";
import type * as Nist from "@noble/curves/nist";
import { readAlgorithm } from "./algorithms";
import type { Certificate } from "./certificate";
import { DerCursor, TAG, contentOf, readOid } from "./der";

type Curve = typeof Nist.p256 | typeof Nist.p384 | typeof Nist.p521;

// @noble/curves is loaded on first use: a command that never screens a crowd of candidates
// (most runs) does not pay for loading it.
let noble: { nist: typeof Nist; modular: typeof Modular } | undefined;
function curves(): { nist: typeof Nist; modular: typeof Modular } {
  return (noble ??= { nist: require("@noble/curves/nist") as typeof Nist, modular: require("@noble/curves/abstract/modular") as typeof Modular });
}

// The named curves whose keys can be recovered (prime256v1, secp384r1, secp521r1).
const CURVES: Record<string, "p256" | "p384" | "p521"> = { "1.2.840.10045.3.1.7": "p256", "1.3.132.0.34": "p384", "1.3.132.0.35": "p521" };
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";

// The ecdsa-with-SHA* OIDs (1.2.840.10045.4.1 and 4.3.1-4).
const ECDSA_HASHES: Record<string, string> = {
  "1.2.840.10045.4.1": "sha1",
  "1.2.840.10045.4.3.1": "sha224",
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
};

interface EcKey {
  curveOid: string;
  /** "04" + x + y in hex, as recovered points print. */
  point: string;
}

// Recovered key sets, per certificate and curve; bounded like the signature cache.
const RECOVERED_LIMIT = 10_000;
const recovered = new Map<string, Set<string> | undefined>();
// A candidate is screened again for every new certificate it might have signed.
const ecKeys = new WeakMap<Certificate, EcKey | null>();

/**
 * False only when `issuer`'s key certainly cannot verify `child`'s signature. True when it
 * may (its key is among the recovered ones), or when recovery does not apply (not ECDSA,
 * another curve, a signature the recovery cannot read): the caller then verifies.
 */
export function mayHaveSigned(child: Certificate, issuer: Certificate): boolean {
  const key = ecKeyOf(issuer);
  if (!key) return true;
  const keys = recoveredKeys(child, key.curveOid);
  return keys === undefined || keys.has(key.point);
}

function recoveredKeys(child: Certificate, curveOid: string): Set<string> | undefined {
  const cacheKey = `${child.sha256}:${curveOid}`;
  if (recovered.has(cacheKey)) return recovered.get(cacheKey);
  const keys = recover(child, curves().nist[CURVES[curveOid]]);
  if (recovered.size >= RECOVERED_LIMIT) recovered.clear();
  recovered.set(cacheKey, keys);
  return keys;
}

function recover(child: Certificate, curve: Curve): Set<string> | undefined {
  const hash = ECDSA_HASHES[child.signatureAlgorithmOid];
  if (!hash) return undefined;
  const { invert, mod } = curves().modular;
  let r: bigint, s: bigint;
  try {
    ({ r, s } = curve.Signature.fromDER(child.signatureValue));
  } catch {
    return undefined; // Not readable here: let the verification decide.
  }
  const { n, Fp } = curve.CURVE;
  const digest = crypto.createHash(hash).update(child.tbs).digest();
  // The hash as an integer, cut to the order's bit length (SEC 1 4.1.4 step 5).
  const e = BigInt(`0x${digest.toString("hex")}`) >> BigInt(Math.max(0, digest.length * 8 - n.toString(2).length));
  const rInverse = invert(r, n);
  const u1 = mod(-e * rInverse, n);
  const u2 = mod(s * rInverse, n);
  // The scalar multiplications run in OpenSSL through ECDH: u1*G is the public key of the
  // "private key" u1, and ECDH gives the x of u2*R, which fixes u2*R up to its sign; the
  // sign is the ambiguity between R and -R, so both are tried anyway.
  const Point = curve.ProjectivePoint;
  // fromDER accepts only 1 <= r, s < n, so u2 is never 0; u1 is when the hash is 0 mod n.
  const u1G = u1 === 0n ? Point.ZERO : Point.fromHex(ecdh(curve, u1).getPublicKey());
  const byU2 = ecdh(curve, u2);
  const keys = new Set<string>();
  // x(R) = r, or r + n when that is below p.
  for (const x of [r, r + n]) {
    if (x >= Fp.ORDER) continue;
    let u2Rx: Buffer;
    try {
      u2Rx = byU2.computeSecret(Buffer.from(`02${hexOf(x, Fp.BYTES)}`, "hex"));
    } catch {
      continue; // No curve point has this x: no key can give it.
    }
    const u2R = Point.fromHex(`02${u2Rx.toString("hex")}`);
    for (const Q of [u1G.add(u2R), u1G.subtract(u2R)]) if (!Q.is0()) keys.add(Q.toHex(false));
  }
  return keys;
}

// OpenSSL's names of the curves, by the bit length of their order.
const ECDH_NAMES: Record<number, string> = { 256: "prime256v1", 384: "secp384r1", 521: "secp521r1" };

/** An ECDH context whose private key is `scalar` (0 < scalar < n). */
function ecdh(curve: Curve, scalar: bigint): crypto.ECDH {
  const context = crypto.createECDH(ECDH_NAMES[curve.CURVE.n.toString(2).length]);
  context.setPrivateKey(Buffer.from(hexOf(scalar, curve.CURVE.Fp.BYTES), "hex"));
  return context;
}

function hexOf(value: bigint, bytes: number): string {
  return value.toString(16).padStart(2 * bytes, "0");
}

/** The certificate's EC key on a supported curve, read from its SubjectPublicKeyInfo; null otherwise. */
function ecKeyOf(cert: Certificate): EcKey | null {
  let key = ecKeys.get(cert);
  if (key === undefined) {
    key = readEcKey(cert.spki);
    ecKeys.set(cert, key);
  }
  return key;
}

function readEcKey(spki: Buffer): EcKey | null {
  // SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { algorithm OID, parameters (the curve's OID) }, BIT STRING }.
  try {
    const fields = DerCursor.inside(spki, new DerCursor(spki, 0, spki.length, "key").next(TAG.SEQUENCE), "key");
    const algorithm = readAlgorithm(spki, fields.next(TAG.SEQUENCE), "key algorithm");
    const params = algorithm.parameters;
    if (algorithm.oid !== EC_PUBLIC_KEY || params?.[0] !== TAG.OID) return null;
    const curveOid = readOid(params, new DerCursor(params, 0, params.length, "curve").next(TAG.OID), "curve");
    const point = contentOf(spki, fields.next(TAG.BIT_STRING)).subarray(1);
    // Recovered keys print uncompressed; a rare compressed key is simply verified.
    return CURVES[curveOid] && point[0] === 0x04 ? { curveOid, point: point.toString("hex") } : null;
  } catch {
    return null;
  }
}
