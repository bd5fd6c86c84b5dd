/**
 * What a kind of client does with a served chain, where that decides its verdict: which
 * path it builds, what it checks of its root, how far it checks the serverAuth purpose,
 * whether it fetches a missing issuer from the AIA URL, whether it still takes SHA-1 signatures. The roots it holds are the
 * profile's; this is the rest of the model. Each behaviour names the real clients it stands
 * for; the verifier-agreement test (test/integration/verifiers/) checks the models of the
 * verifiers that run here against those verifiers.
 */

export interface ClientBehaviour {
  id: BehaviourId;
  /** The real clients this models, for people. */
  models: string;
  /** How it builds its path (chain/greedy-paths.ts for all but `any-path`). */
  pathBuilding: PathBuilding;
  /** What it checks of the root a path ends at. */
  anchor: AnchorChecks;
  /** `path`: every certificate below the root must allow serverAuth (or have no EKU); `leaf`: the leaf only. */
  eku: "path" | "leaf";
  /** Completes a missing issuer from the caIssuers URL of a certificate's AIA extension. */
  aiaFetching: boolean;
  /** Still accepts certificates signed with SHA-1 (clients from before the 2017 deprecation); every other weak algorithm stays refused. */
  sha1Signatures: boolean;
}

/**
 * - `any-path`: finds a valid path whenever one exists among the served certificates and
 *   its roots (backtracking builders: Go, NSS, rustls-webpki, Java, Windows, Apple, Android);
 * - `trusted-first`: OpenSSL 1.1.0 and later: at each step takes an issuer from its store
 *   if it has one (preferring one valid now), else from the served certificates, and judges
 *   that one path: an expired copy of a root in its store fails it, and so do same-key
 *   twins served in the unlucky order;
 * - `untrusted-first`: OpenSSL before 1.1.0: follows the served certificates as far as
 *   they go, then its store, and judges that one path: an expired cross-sign fails it even
 *   when another path is trusted (AddTrust 2020, DST Root CA X3 2021);
 * - `served-order`: GnuTLS: the served certificates sorted from the leaf (first by name),
 *   then its store; if that fails, the same path cut at a served certificate whose name and
 *   key it trusts.
 */
export type PathBuilding = "any-path" | "trusted-first" | "untrusted-first" | "served-order";

/**
 * - `certificate`: the root's validity, pathLen and key usage apply (OpenSSL, Go, NSS, GnuTLS, Windows, Apple);
 * - `ignores-expiry`: its validity does not (Android before 7.1.1: what kept Let's Encrypt's
 *   DST Root CA X3 cross-sign working there after 2021-09-30);
 * - `name-and-key`: only its name and key count, as RFC 5280's trust anchor information
 *   (Java, rustls-webpki): no validity, no pathLen, no key usage.
 */
export type AnchorChecks = "certificate" | "ignores-expiry" | "name-and-key";

export type BehaviourId = "openssl" | "openssl-1.0" | "android-before-7.1.1" | "android" | "apple" | "windows" | "nss" | "nss-aia" | "java" | "go" | "webpki" | "gnutls";

const BEHAVIOURS: Record<BehaviourId, Omit<ClientBehaviour, "id">> = {
  openssl: { models: "OpenSSL 1.1.0 and later (curl, Python ssl, Node.js tls, wget, most IoT stacks)", pathBuilding: "trusted-first", anchor: "certificate", eku: "path", aiaFetching: false, sha1Signatures: false },
  "openssl-1.0": { models: "OpenSSL 1.0.x (Ubuntu 16.04, Debian 8, RHEL 7 and their curl, Python, PHP)", pathBuilding: "untrusted-first", anchor: "certificate", eku: "path", aiaFetching: false, sha1Signatures: true },
  "android-before-7.1.1": { models: "Android before 7.1.1 (its TrustManagerImpl ignores the expiry of a root)", pathBuilding: "any-path", anchor: "ignores-expiry", eku: "path", aiaFetching: false, sha1Signatures: true },
  android: { models: "Android 7.1.1 and later (Conscrypt)", pathBuilding: "any-path", anchor: "certificate", eku: "path", aiaFetching: false, sha1Signatures: false },
  apple: { models: "Apple SecTrust (Safari, iOS and macOS apps)", pathBuilding: "any-path", anchor: "certificate", eku: "path", aiaFetching: true, sha1Signatures: false },
  windows: { models: "Windows CryptoAPI (Edge, Chrome and .NET on Windows)", pathBuilding: "any-path", anchor: "certificate", eku: "path", aiaFetching: true, sha1Signatures: false },
  nss: { models: "Mozilla NSS (Firefox; it preloads intermediates instead of fetching them)", pathBuilding: "any-path", anchor: "certificate", eku: "path", aiaFetching: false, sha1Signatures: false },
  "nss-aia": { models: "NSS's libpkix with AIA fetching (Chrome on Linux until its own verifier, 2020; vfychain -pp -f)", pathBuilding: "any-path", anchor: "certificate", eku: "path", aiaFetching: true, sha1Signatures: false },
  java: { models: "Java (SunJSSE's PKIX trust manager)", pathBuilding: "any-path", anchor: "name-and-key", eku: "leaf", aiaFetching: false, sha1Signatures: false },
  go: { models: "Go crypto/x509", pathBuilding: "any-path", anchor: "certificate", eku: "path", aiaFetching: false, sha1Signatures: false },
  webpki: { models: "rustls-webpki (rustls, and what uses it)", pathBuilding: "any-path", anchor: "name-and-key", eku: "path", aiaFetching: false, sha1Signatures: false },
  gnutls: { models: "GnuTLS 3.6.14 and later (gnutls-cli, wget and apt on some systems)", pathBuilding: "served-order", anchor: "certificate", eku: "path", aiaFetching: false, sha1Signatures: false },
};

/** The behaviour of a client the profile does not name: a current OpenSSL client. */
export const DEFAULT_BEHAVIOUR: BehaviourId = "openssl";

export function behaviour(id: BehaviourId): ClientBehaviour {
  return { id, ...BEHAVIOURS[id] };
}

export function isBehaviourId(id: string): id is BehaviourId {
  return Object.prototype.hasOwnProperty.call(BEHAVIOURS, id);
}

export function behaviourIds(): BehaviourId[] {
  return Object.keys(BEHAVIOURS) as BehaviourId[];
}
