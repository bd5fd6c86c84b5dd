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
import { invert, mod } from "@noble/curves/abstract/modular";
import { p256, p384, p521 } from "@noble/curves/nist";
import type { Certificate } from "./certificate";
import { certificateParts, subjectPublicKeyInfo } from "./certificate-der";
import { derElementWithin as element } from "./der";

type Curve = typeof p256 | typeof p384 | typeof p521;

// Content octets of the named-curve OIDs (prime256v1, secp384r1, secp521r1).
const CURVES: Record<string, Curve> = { "2a8648ce3d030107": p256, "2b81040022": p384, "2b81040023": p521 };
const EC_PUBLIC_KEY = "2a8648ce3d0201";

// Content octets of the ecdsa-with-SHA* OIDs (1.2.840.10045.4.1 and 4.3.1-4).
const ECDSA_HASHES: Record<string, string> = {
  "2a8648ce3d0401": "sha1",
  "2a8648ce3d040301": "sha224",
  "2a8648ce3d040302": "sha256",
  "2a8648ce3d040303": "sha384",
  "2a8648ce3d040304": "sha512",
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
  const keys = recover(child.der, CURVES[curveOid]);
  if (recovered.size >= RECOVERED_LIMIT) recovered.clear();
  recovered.set(cacheKey, keys);
  return keys;
}

function recover(der: Buffer, curve: Curve): Set<string> | undefined {
  const parts = certificateParts(der);
  const hash = parts && ECDSA_HASHES[parts.signatureAlgorithmOid];
  if (!parts || !hash) return undefined;
  let r: bigint, s: bigint;
  try {
    ({ r, s } = curve.Signature.fromDER(parts.signature));
  } catch {
    return undefined; // Not readable here: let the verification decide.
  }
  const { n, Fp } = curve.CURVE;
  const digest = crypto.createHash(hash).update(parts.tbs).digest();
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

// OpenSSL's names of the curves.
const ECDH_NAMES = new Map<Curve, string>([[p256, "prime256v1"], [p384, "secp384r1"], [p521, "secp521r1"]]);

/** An ECDH context whose private key is `scalar` (0 < scalar < n). */
function ecdh(curve: Curve, scalar: bigint): crypto.ECDH {
  const context = crypto.createECDH(ECDH_NAMES.get(curve)!);
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
    key = readEcKey(cert.der);
    ecKeys.set(cert, key);
  }
  return key;
}

function readEcKey(der: Buffer): EcKey | null {
  const spki = subjectPublicKeyInfo(der);
  if (!spki) return null;
  // SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { algorithm OID, parameters (the curve's OID) }, BIT STRING }.
  const outer = element(spki, 0, 0x30);
  const algorithm = outer && element(spki, outer.contentStart, 0x30);
  const type = algorithm && element(spki, algorithm.contentStart, 0x06);
  const params = type && element(spki, type.end, 0x06);
  const bits = algorithm && element(spki, algorithm.end, 0x03);
  if (!type || !params || !bits) return null;
  const curveOid = spki.subarray(params.contentStart, params.end).toString("hex");
  const curve = CURVES[curveOid];
  if (spki.subarray(type.contentStart, type.end).toString("hex") !== EC_PUBLIC_KEY || !curve) return null;
  const point = spki.subarray(bits.contentStart + 1, bits.end);
  // Recovered keys print uncompressed; a rare compressed key is simply verified.
  return point[0] === 0x04 ? { curveOid, point: point.toString("hex") } : null;
}
