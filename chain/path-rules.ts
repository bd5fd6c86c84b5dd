/**
 * The rules a certification path for a TLS server must satisfy, checked one link at a time
 * as the path grows from the leaf (RFC 5280 6.1, with what Go's crypto/x509 and
 * rustls-webpki add). Every refusal has a stable code and a sentence; the sentence completes
 * "<certificate> ...".
 *
 * Per certificate: validity at the chosen time; no defects (malformed or unknown critical
 * extensions, duplicates, inner/outer algorithm mismatch: chain/extensions); an accepted
 * key (chain/algorithms); extendedKeyUsage absent, anyExtendedKeyUsage or serverAuth, on
 * the leaf, every intermediate and the anchor (as Go: a CA restricted to other usages cannot
 * vouch for a TLS server). Per link: the signature verifies with the issuer's key and its
 * algorithm is accepted. Per issuer: CA (basicConstraints cA; a v1 anchor is one by
 * configuration), keyCertSign when key usage is present, pathLen over the non-self-issued
 * intermediates below it, its name constraints over every certificate below it, and no
 * requireExplicitPolicy that would take effect (policies are not evaluated: such a path is refused).
 *
 * Not checked, by design: host names (the bundler is not told one; clients check them),
 * revocation, and certificate policies beyond that refusal.
 */
import type { Certificate } from "./certificate";
import type { AnchorChecks } from "./client-behaviour";
import { constraintViolation } from "./name-constraints";
import { signatureVerifies } from "./signatures";

export interface Refusal {
  code: string;
  /** Completes "<certificate> ...", e.g. "is not a CA (basicConstraints)". */
  reason: string;
}

export type Role = "anchor" | "intermediate";

/** What a client checks beyond the certificates' own rules (chain/client-behaviour.ts). */
export interface IssuerChecks {
  /** Of a root: everything, all but its expiry, or only its name and key. Intermediates: always everything. */
  anchor: AnchorChecks;
  /** serverAuth on every certificate of the path, or on the leaf only. */
  eku: "path" | "leaf";
  /** SHA-1 signatures taken (clients from before 2017); refused otherwise, as every other weak algorithm. */
  sha1?: boolean;
}

const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
const USAGE_NAMES: Record<string, string> = {
  [SERVER_AUTH]: "serverAuth",
  "1.3.6.1.5.5.7.3.2": "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "OCSPSigning",
};

/** Why `leaf` can begin no path, or undefined. */
export function leafRefusal(leaf: Certificate, at: Date): Refusal | undefined {
  if (!leaf.isValidAt(at)) return validityRefusal(leaf, at);
  return certificateRefusal(leaf) ?? explicitPolicyRefusal(leaf, []);
}

/** What the checks cost, told to the search's budget (which may end the search by throwing). */
export interface Spending {
  signatureCheck(): void;
  nameComparisons(count: number): void;
}

/** Why `issuer` cannot be the next certificate above `path` (leaf first), or undefined. Cheap checks first. */
/**
 * Why `issuer` cannot sign the last certificate of `path`, or undefined when it can. Cheap
 * checks first. `checks` models clients that check less (chain/client-behaviour.ts): of a
 * root, its expiry ignored or only its name and key used; serverAuth on the leaf only.
 */
export function issuerRefusal(issuer: Certificate, path: readonly Certificate[], role: Role, at: Date, screen: boolean, spend: Spending, checks: IssuerChecks = { anchor: "certificate", eku: "path" }): Refusal | undefined {
  const child = path[path.length - 1];
  if (path.some((onPath) => onPath.isSameEntityAs(issuer))) return { code: "loop", reason: "is already on the path (same subject and key: a loop)" };
  if (checks.anchor === "certificate" && !issuer.isValidAt(at)) return validityRefusal(issuer, at);
  // The signature before the extensions: a same-named decoy then fails without decoding them.
  spend.signatureCheck();
  if (!signatureVerifies(child, issuer, screen)) return { code: "bad-signature", reason: "does not verify the signature (same name, different key)" };
  const signature = child.signatureRefusal;
  if (signature && !(checks.sha1 && child.signatureHash === "SHA-1")) return { code: signature.code, reason: `would vouch for ${child.label}, which ${signature.reason}` };
  if (checks.anchor === "name-and-key") return undefined;
  const own = certificateRefusal(issuer, checks.eku === "path");
  if (own) return own;
  // RFC 5280 4.2.1.9: the key of a v3 certificate without basicConstraints cA "MUST NOT be used to verify
  // certificate signatures", and Go applies that to roots too. A v1 certificate cannot carry the extension,
  // and real trust stores still hold v1 roots: a v1 anchor is a CA by configuration (as Go and OpenSSL take it).
  if (!issuer.isCA && (role === "intermediate" || issuer.version >= 3)) {
    return { code: "not-a-ca", reason: role === "anchor" ? "is a v3 certificate without basicConstraints cA, whose key RFC 5280 4.2.1.9 forbids to verify certificates, even as an anchor" : "is not a CA (basicConstraints)" };
  }
  if (issuer.keyUsage !== undefined && !issuer.keyUsage.includes("keyCertSign")) return { code: "no-key-cert-sign", reason: "may not sign certificates (key usage lacks keyCertSign)" };
  // pathLen counts the non-self-issued intermediates below the issuer (RFC 5280 4.2.1.9).
  const below = path.slice(1).filter((c) => !c.selfIssued).length;
  if (issuer.pathLen !== undefined && below > issuer.pathLen) return { code: "path-length", reason: `allows ${issuer.pathLen} intermediates below it (pathLen) but ${below} would be` };
  const constraints = issuer.nameConstraints;
  if (constraints) {
    for (const [i, cert] of path.entries()) {
      // Self-issued intermediates are exempt (RFC 5280 6.1.3 b): a CA's key rollover certificate is not a name.
      if (i > 0 && cert.selfIssued) continue;
      const violation = constraintViolation(constraints, cert.constrainedNames, (n) => spend.nameComparisons(n));
      if (violation) return { code: "name-constraints", reason: `has name constraints that ${cert.label} breaks: ${violation}` };
    }
  }
  return role === "intermediate" ? explicitPolicyRefusal(issuer, path) : undefined;
}

/** Rules on the certificate alone: defects, key, and (unless the client checks it on the leaf only) extended key usage. */
function certificateRefusal(cert: Certificate, eku = true): Refusal | undefined {
  const defect = cert.defects[0];
  if (defect) return { code: defect.code, reason: defect.reason };
  const key = cert.keyRefusal;
  if (key) return { code: key.code, reason: key.reason };
  const usages = cert.extendedKeyUsage;
  if (eku && usages && !usages.includes(SERVER_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
    return { code: "extended-key-usage", reason: `is restricted to ${usages.map((u) => USAGE_NAMES[u] ?? u).join(", ")} (extendedKeyUsage), not serverAuth` };
  }
  return undefined;
}

/**
 * requireExplicitPolicy = n on a certificate requires an explicit policy once n more
 * certificates follow it (the leaf and non-self-issued intermediates: RFC 5280 6.1.4 h-i,
 * 6.1.5 a-b). chainsmith does not evaluate policies, so a path where that takes effect is
 * refused rather than guessed. `below`: the certificates under `cert`, leaf first.
 */
function explicitPolicyRefusal(cert: Certificate, below: readonly Certificate[]): Refusal | undefined {
  const required = cert.requireExplicitPolicy;
  if (required === undefined || below.filter((c, i) => i === 0 || !c.selfIssued).length < required) return undefined;
  return { code: "explicit-policy", reason: `requires an explicit certificate policy for the path (policyConstraints requireExplicitPolicy ${required}); chainsmith does not evaluate certificate policies` };
}

function validityRefusal(cert: Certificate, at: Date): Refusal {
  if (at.getTime() < cert.notBefore.getTime()) return { code: "not-yet-valid", reason: `is not valid before ${isoDate(cert.notBefore)}` };
  return { code: "expired", reason: `expired on ${isoDate(cert.notAfter)}` };
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
