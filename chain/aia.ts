/**
 * AIA fetching as clients that do it (Windows, macOS, Chrome desktop) see it: a
 * certificate whose issuer was not sent names a caIssuers URL, and the client downloads
 * the issuer from there. chainsmith does no network I/O in a judgement: the certificates
 * a CA publishes at those URLs are the ones the caller knows (the pool, the desired chain).
 */
import { Certificate } from "./certificate";

/** A certificate an AIA-fetching client gets, and the URL it follows to get it. */
export interface Fetched {
  cert: Certificate;
  url: string;
  /** The certificate whose caIssuers URL it is. */
  for: Certificate;
}

/**
 * Which of `published` a client fetches, starting from the served chain: each one is the
 * issuer, by name, of a served or already fetched certificate that names a caIssuers URL.
 */
export function fetchableIssuers(served: readonly Certificate[], published: readonly Certificate[]): Fetched[] {
  const known = new Set(served.map((c) => c.sha256));
  const fetched: Fetched[] = [];
  const frontier = [...served];
  for (let child = frontier.shift(); child; child = frontier.shift()) {
    if (child.selfSigned) continue;
    const urls = child.caIssuersUrls;
    if (urls.length === 0) continue;
    for (const cert of published) {
      if (known.has(cert.sha256) || !child.isIssuedByName(cert)) continue;
      known.add(cert.sha256);
      fetched.push({ cert, url: urls[0], for: child });
      frontier.push(cert);
    }
  }
  return fetched;
}
