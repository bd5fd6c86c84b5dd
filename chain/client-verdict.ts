/**
 * One client's verdict on a served chain: the path it builds to its roots, or why there
 * is none, and which part of its behaviour (chain/client-behaviour.ts) decided the verdict
 * where the certificates alone, judged strictly, would not have: a root's expiry or
 * constraints ignored or enforced, a missing intermediate fetched or not, a greedy first
 * path that fails where another would have been trusted, EKU checked on the leaf only.
 */
import { fetchableIssuers } from "./aia";
import { Certificate } from "./certificate";
import { AnchorChecks, ClientBehaviour } from "./client-behaviour";
import { greedyPaths } from "./greedy-paths";
import { BudgetLimits, CertPath, searchPaths } from "./paths";

/** Stable codes: the behaviour that decided a verdict. */
export type DecidingBehaviour =
  /** Trusted only because the client ignores its root's expiry (Android before 7.1.1, Java, rustls-webpki). */
  | "anchor-expiry-ignored"
  /** Trusted only because the client ignores its root's pathLen and key usage (Java, rustls-webpki). */
  | "anchor-constraints-ignored"
  /** Not trusted because the client checks its root's expiry; one that ignores it accepts. */
  | "anchor-expiry-checked"
  /** Trusted only because the client checks serverAuth on the leaf alone (Java). */
  | "eku-leaf-only"
  /** Trusted only because the client still accepts SHA-1 signatures (OpenSSL 1.0, Android before 7.1.1). */
  | "sha1-accepted"
  /** Trusted only because the client fetched a missing issuer from an AIA URL. */
  | "aia-fetching"
  /** Not trusted because the client does not fetch a missing issuer that its AIA URL gives. */
  | "no-aia-fetching"
  /** Not trusted because the one path the client builds fails, while another path is valid (OpenSSL, GnuTLS). */
  | "first-path";

/** Whether one client accepts a served chain, by which path, and why. */
export interface ProfileVerdict {
  profile: string;
  trusted: boolean;
  /** The path the client builds from the served certificates, when trusted. */
  path?: CertPath;
  /** "trusted via X -> Y to root Z", or the dead ends. */
  reason: string;
  /** The behaviour of the client that decided the verdict; absent when the certificates and roots alone did. */
  decidedBy?: DecidingBehaviour;
}

export interface CheckOptions {
  budget?: Partial<BudgetLimits>;
  /** Certificates the CA publishes at the AIA URLs of the served ones (the pool, the desired chain): what an AIA-fetching client can download. */
  aiaCertificates?: readonly Certificate[];
}

const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

export function clientVerdict(profile: string, roots: readonly Certificate[], behaviour: ClientBehaviour, served: readonly Certificate[], at: Date, options: CheckOptions): ProfileVerdict {
  if (served.length === 0) return { profile, trusted: false, reason: "nothing was served" };
  const leaf = served[0];
  const valid = (pool: readonly Certificate[], anchors: readonly Certificate[], anchorChecks: AnchorChecks, eku: "path" | "leaf", sha1Signatures: boolean) =>
    searchPaths(leaf, pool, { at, anchors, anchorChecks, eku, sha1Signatures, budget: options.budget }).paths;
  const own = (pool: readonly Certificate[]) => valid(pool, roots, behaviour.anchor, behaviour.eku, behaviour.sha1Signatures);
  // Whether a path holds without the client's leniencies; a strict client has none.
  const strict = behaviour.anchor === "certificate" && behaviour.eku === "path" && !behaviour.sha1Signatures;
  const strictlyValid = () => strict || valid(served.slice(1), roots, "certificate", "path", false).length > 0;
  const paths = own(served.slice(1));

  if (paths.length > 0 && behaviour.pathBuilding !== "any-path") {
    const attempts = greedyPaths(behaviour.pathBuilding, served, roots, at);
    const taken = attempts.map((a) => (a.anchor ? own(a.chain.slice(1)).find((p) => samePath(p, a.chain, a.anchor!)) : undefined)).find(Boolean);
    if (!taken) {
      const first = attempts[0];
      const labels = [...first.chain, ...(first.anchor && first.anchor.sha256 !== first.chain[first.chain.length - 1].sha256 ? [first.anchor] : [])].map((c) => c.label);
      const why = first.anchor ? whyInvalid(first.chain, first.anchor, at) : "it reaches none of its roots";
      return { profile, trusted: false, reason: `this client builds ${labels.join(" -> ")} and judges that path alone: ${why}; it does not try the valid path via ${via(paths[0])}`, decidedBy: "first-path" };
    }
    return trustedVerdict(profile, taken, strictlyValid(), behaviour, at);
  }
  if (paths.length > 0) {
    const best = paths.find((p) => p.anchor.isValidAt(at)) ?? paths[0];
    return trustedVerdict(profile, best, strictlyValid(), behaviour, at);
  }

  const searched = searchPaths(leaf, served.slice(1), { at, anchors: roots, anchorChecks: behaviour.anchor, eku: behaviour.eku, sha1Signatures: behaviour.sha1Signatures, budget: options.budget });
  const deadEnds = `no path to its roots: ${searched.deadEnds.join("; ")}`;
  if (behaviour.anchor === "certificate") {
    const lenient = valid(served.slice(1), roots, "ignores-expiry", behaviour.eku, behaviour.sha1Signatures)[0];
    if (lenient) {
      return {
        profile,
        trusted: false,
        reason: `the only path, via ${via(lenient)}, ends at root ${lenient.anchor.label}, which expired on ${isoDate(lenient.anchor.notAfter)}; this client checks a root's expiry (Android before 7.1.1 does not)`,
        decidedBy: "anchor-expiry-checked",
      };
    }
  }
  const fetched = fetchableIssuers(served, options.aiaCertificates ?? []);
  const completed = fetched.length ? own([...served.slice(1), ...fetched.map((f) => f.cert)])[0] : undefined;
  if (completed) {
    const words = fetched.filter((f) => completed.chain.includes(f.cert)).map((f) => `${f.cert.label} from ${f.url}`).join(", ");
    if (behaviour.aiaFetching) {
      return { profile, trusted: true, path: completed, reason: `trusted after fetching ${words} (AIA), via ${via(completed)} to root ${completed.anchor.label}`, decidedBy: "aia-fetching" };
    }
    return { profile, trusted: false, reason: `${deadEnds}. The missing ${words.replace(/ from /g, " is at ")}: clients that fetch it (Windows, macOS, Chrome desktop) complete the chain, this one does not`, decidedBy: "no-aia-fetching" };
  }
  return { profile, trusted: false, reason: deadEnds };
}

/** A trusted verdict; `strictlyValid` says whether the path also holds without the client's leniencies. */
function trustedVerdict(profile: string, path: CertPath, strictlyValid: boolean, behaviour: ClientBehaviour, at: Date): ProfileVerdict {
  const reason = `trusted via ${via(path)} to root ${path.anchor.label}`;
  if (strictlyValid) return { profile, trusted: true, path, reason };
  if (!path.anchor.isValidAt(at)) {
    return { profile, trusted: true, path, reason: `${reason}, which expired on ${isoDate(path.anchor.notAfter)}: this client ignores a root's expiry`, decidedBy: "anchor-expiry-ignored" };
  }
  const sha1 = path.chain.find((c) => c.signatureHash === "SHA-1");
  if (sha1 && behaviour.sha1Signatures) return { profile, trusted: true, path, reason: `${reason}; ${sha1.label} is signed with SHA-1, which this client still accepts (current clients refuse it)`, decidedBy: "sha1-accepted" };
  const eku = ekuProblem(path);
  if (eku && behaviour.eku === "leaf") return { profile, trusted: true, path, reason: `${reason}; ${eku}, but this client checks serverAuth on the leaf only`, decidedBy: "eku-leaf-only" };
  return { profile, trusted: true, path, reason: `${reason}; the root's pathLen or key usage forbids the path, but this client uses only the root's name and key`, decidedBy: "anchor-constraints-ignored" };
}

/** Which certificate of the path does not allow TLS server authentication (EKU), in words; undefined when all do. */
function ekuProblem(path: CertPath): string | undefined {
  const refused = path.chain.find((c) => c.extendedKeyUsage !== undefined && !c.extendedKeyUsage.includes(SERVER_AUTH) && !c.extendedKeyUsage.includes(ANY_EXTENDED_KEY_USAGE));
  return refused && `${refused.label} does not allow TLS server authentication (its EKU lacks serverAuth)`;
}

function samePath(path: CertPath, chain: Certificate[], anchor: Certificate): boolean {
  return path.anchor === anchor && path.chain.length === chain.length && path.chain.every((c, i) => c === chain[i]);
}

function whyInvalid(chain: Certificate[], anchor: Certificate, at: Date): string {
  const invalid = [...chain, anchor].find((c) => !c.isValidAt(at));
  if (invalid) return `${invalid.label} ${at < invalid.notBefore ? `is not valid before ${isoDate(invalid.notBefore)}` : `expired on ${isoDate(invalid.notAfter)}`}`;
  return "it is not a valid path (signature, CA, pathLen, key usage or EKU)";
}

function via(path: CertPath): string {
  const labels = path.chain.slice(1).map((c) => c.label);
  return labels.length ? labels.join(" -> ") : "the leaf alone";
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
