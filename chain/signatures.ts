/**
 * "Did this issuer's key make this signature?", answered once per pair and process: a
 * signature's validity depends only on the signed certificate and the issuer, so results
 * are shared across searches (choosing, then checking each profile, then judging). Keyed by
 * the issuer's fingerprint, not its key: hashing every decoy's key costs more than checking
 * a cross-sign's twin again. Bounded: cleared when full rather than grown without limit.
 */
import type { Certificate } from "./certificate";
import { mayHaveSigned } from "./ecdsa-signers";

const SIGNATURE_CACHE_LIMIT = 200_000;
const signatureCache = new Map<string, boolean>();

/** From this many same-named candidates on, ECDSA signers are screened by key recovery (it costs about 8 P-256 verifications). */
export const KEY_RECOVERY_THRESHOLD = 16;

/**
 * With `screen`, an ECDSA signature's possible signers are recovered once (chain/ecdsa-signers)
 * and candidates outside them fail without a verification each.
 */
export function signatureVerifies(child: Certificate, issuer: Certificate, screen = false): boolean {
  const key = `${child.sha256}:${issuer.sha256}`;
  let ok = signatureCache.get(key);
  if (ok === undefined) {
    ok = (!screen || mayHaveSigned(child, issuer)) && child.isSignedBy(issuer);
    if (signatureCache.size >= SIGNATURE_CACHE_LIMIT) signatureCache.clear();
    signatureCache.set(key, ok);
  }
  return ok;
}

/** `issuer`'s subject is `child`'s issuer name and its key verifies `child`'s signature (cached). */
export function isIssuerOf(issuer: Certificate, child: Certificate): boolean {
  return child.isIssuedByName(issuer) && signatureVerifies(child, issuer);
}
