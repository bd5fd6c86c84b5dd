// How a served chain (wire order, leaf first) differs from the desired one: the one typed
// comparison behind every drift message, deployment check and judgement finding. Its words
// are in served-comparison-text.ts. Certificates are compared by SHA-256, never by name: a
// cross-signed certificate and its self-signed twin share subject and key, not clients.
import type { Certificate } from "./certificate";
import { issuerCommonName } from "./paths";

/** One certificate as a comparison sees it. subject, issuer and selfSigned are absent in states recorded before they were kept. */
export interface ChainEntry {
  sha256: string;
  /** "CN [sha256 prefix]". */
  label: string;
  subject?: string;
  /** The issuer's common name (or its whole name when it has none). */
  issuer?: string;
  selfSigned?: boolean;
}

export type ServedDifferenceCode =
  /** Byte for byte the desired chain. */
  | "same"
  /** The server sent no certificate. */
  | "nothing-served"
  /** Another leaf: old files, or a server that was not reloaded. */
  | "other-leaf"
  /** The leaf and the first intermediates, then nothing: the rest is missing. */
  | "missing-intermediates"
  /** The desired chain, then a self-signed root (clients use their own copy). */
  | "extra-root"
  /** The desired chain, then certificates that are not part of it. */
  | "extra-certificates"
  /** The desired certificates, in another order. */
  | "wrong-order"
  /** Any other mix of missing and unexpected certificates. */
  | "other-certificates";

/** A served certificate with the subject of the desired one at its position, but another certificate (e.g. the self-signed twin of a cross-sign). */
export interface Twin {
  position: number;
  served: ChainEntry;
  desired: ChainEntry;
}

export interface ServedComparison {
  code: ServedDifferenceCode;
  served: ChainEntry[];
  desired: ChainEntry[];
  /** Desired certificates the server does not send. */
  missing: ChainEntry[];
  /** Served certificates that are not in the desired chain. */
  unexpected: ChainEntry[];
  twins: Twin[];
}

export function chainEntry(certificate: Certificate): ChainEntry {
  return { sha256: certificate.sha256, label: certificate.label, subject: certificate.subject, issuer: issuerCommonName(certificate), selfSigned: certificate.selfSigned };
}

export function compareServed(desired: readonly ChainEntry[], served: readonly ChainEntry[]): ServedComparison {
  const desiredIds = new Set(desired.map((e) => e.sha256));
  const servedIds = new Set(served.map((e) => e.sha256));
  const missing = desired.filter((e) => !servedIds.has(e.sha256));
  const unexpected = served.filter((e) => !desiredIds.has(e.sha256));
  const twins = served.flatMap((s, position) => {
    const d = desired[position];
    return d && s.sha256 !== d.sha256 && s.subject !== undefined && s.subject === d.subject ? [{ position, served: s, desired: d }] : [];
  });
  const result = (code: ServedDifferenceCode): ServedComparison => ({ code, served: [...served], desired: [...desired], missing, unexpected, twins });
  const startsWith = (longer: readonly ChainEntry[], shorter: readonly ChainEntry[]) => shorter.every((e, i) => longer[i]?.sha256 === e.sha256);

  if (served.length === desired.length && startsWith(served, desired)) return result("same");
  if (served.length === 0) return result("nothing-served");
  if (desired.length > 0 && served[0].sha256 !== desired[0].sha256) return result("other-leaf");
  if (served.length < desired.length && startsWith(desired, served)) return result("missing-intermediates");
  if (served.length > desired.length && startsWith(served, desired)) {
    const beyond = served.slice(desired.length);
    return result(beyond.length === 1 && beyond[0].selfSigned === true ? "extra-root" : "extra-certificates");
  }
  if (missing.length === 0 && unexpected.length === 0) return result("wrong-order");
  return result("other-certificates");
}
