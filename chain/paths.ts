/**
 * Every valid certification path from a leaf, through intermediates of a pool, to a trust
 * anchor. The shape follows rustls/webpki's verify_cert.rs: one short recursive function
 * over candidate issuers, loop prevention (RFC 4158: same subject and key already on the
 * path), and a budget that turns a pathological pool into a named error.
 *
 * Decisions:
 * - Issuers are found by name (RFC 5280 name chaining) and tried in fingerprint order. Key
 *   identifiers are not consulted: a wrong or missing AKI/SKI never excludes a certificate,
 *   and reading them would cost a full parse of every same-named decoy.
 * - Many same-named candidates for one ECDSA signature (a crowded pool, decoys): the keys
 *   that can have made it are recovered from the signature once, and a candidate whose key
 *   is not among them fails without a verification of its own. Exact, unlike skipping
 *   candidates whose SKI differs from the AKI (chain/ecdsa-signers).
 * - A path ends at a trust anchor: a certificate of `anchors` (a profile's roots or the
 *   user's own). A self-signed certificate of the pool is never an anchor by itself:
 *   trusting whatever the input holds would make every chain "valid". Give it as an
 *   anchor to trust it; otherwise the dead end says so.
 * - Anchors are trusted by configuration: they need not be CAs (real stores hold v1
 *   roots), but their validity, keyCertSign (when key usage is present) and pathLen are
 *   checked, as OpenSSL does. An expired root (DST Root CA X3 after 2021-09-30) ends no path,
 *   unless `anchorChecks` models a client that ignores it (chain/client-behaviour.ts).
 * - A pool certificate identical to an anchor (same fingerprint) acts only as the anchor.
 * - A cross-sign (same subject and key, another issuer) is a distinct certificate.
 * - The result never depends on the order of the pool: candidates are sorted, and the
 *   budget counts every signature check, cached or not.
 */
import { Certificate } from "./certificate";
import type { AnchorChecks } from "./client-behaviour";
import { mayHaveSigned } from "./ecdsa-signers";
import { ChainBuildError } from "./errors";

export interface BudgetLimits {
  /** Signature checks per search (cached results count too, so results never depend on the cache). */
  signatureChecks: number;
  /** Calls of the recursive step per search. */
  buildCalls: number;
}

/** Room for a pool of thousands of same-named decoys; a runaway cross-sign mesh still ends quickly. */
export const DEFAULT_BUDGET: BudgetLimits = { signatureChecks: 10_000, buildCalls: 200_000 };

export interface PathOptions {
  /** The time every certificate on the path must be valid at. */
  at: Date;
  /** Certificates a path may end at. */
  anchors: readonly Certificate[];
  /** What is checked of an anchor (chain/client-behaviour.ts AnchorChecks); default `certificate`: validity, pathLen, key usage. */
  anchorChecks?: AnchorChecks;
  budget?: Partial<BudgetLimits>;
}

/** One valid path. */
export interface CertPath {
  /** What a server serves: the leaf first, then intermediates; the anchor is excluded (unless the leaf is the anchor). */
  chain: Certificate[];
  anchor: Certificate;
}

/** The outcome of a search: the valid paths, and why every other branch ended. */
export interface PathSearch {
  leaf: Certificate;
  /** Sorted: shortest first, then by fingerprints. */
  paths: CertPath[];
  /** One sentence per dead end, e.g. "Sectigo DV R36 [ab12..]: issuer 'Sectigo R46' not in pool or anchors". */
  deadEnds: string[];
}

/** Every valid path from `leaf`; an empty `paths` list with reasons when none exists. */
export function searchPaths(leaf: Certificate, pool: readonly Certificate[], options: PathOptions): PathSearch {
  const anchorIds = new Set(options.anchors.map((a) => a.sha256));
  const search: Search = {
    at: options.at,
    anchorChecks: options.anchorChecks ?? "certificate",
    anchors: new IssuerIndex(options.anchors),
    intermediates: new IssuerIndex(pool.filter((c) => !anchorIds.has(c.sha256))),
    budget: new Budget({ ...DEFAULT_BUDGET, ...options.budget }, leaf),
    paths: [],
    deadEnds: new Set(),
  };
  if (anchorIds.has(leaf.sha256)) {
    search.paths.push({ chain: [leaf], anchor: leaf });
  } else if (!leaf.isValidAt(options.at)) {
    search.deadEnds.add(`${leaf.label}: the leaf ${validityProblem(leaf, options.at)}`);
  } else {
    extend([leaf], search);
  }
  return { leaf, paths: search.paths.sort(comparePaths), deadEnds: [...search.deadEnds] };
}

/** Every valid path from `leaf`, or ChainBuildError("no-valid-path") naming each dead end. */
export function enumeratePaths(leaf: Certificate, pool: readonly Certificate[], options: PathOptions): CertPath[] {
  const search = searchPaths(leaf, pool, options);
  if (search.paths.length === 0) throw noValidPath(search);
  return search.paths;
}

/** The ChainBuildError for a search that found nothing; long lists of decoys are cut. */
export function noValidPath(search: PathSearch): ChainBuildError {
  const shown = search.deadEnds.slice(0, 12).map((reason) => `  - ${reason}`);
  const more = search.deadEnds.length - shown.length;
  if (more > 0) shown.push(`  - ... and ${more} more dead ends`);
  return new ChainBuildError(
    "no-valid-path",
    `No valid path from ${search.leaf.label} to a trust anchor:\n${shown.join("\n")}\n` +
      `Add the missing intermediate to the pool, or the root to the anchors or profiles.`,
  );
}

interface Search {
  at: Date;
  anchorChecks: AnchorChecks;
  anchors: IssuerIndex;
  intermediates: IssuerIndex;
  budget: Budget;
  paths: CertPath[];
  deadEnds: Set<string>;
}

/** The recursive step: `path` runs from the leaf to the certificate whose issuer is sought. */
function extend(path: Certificate[], search: Search): void {
  search.budget.spendBuildCall();
  const child = path[path.length - 1];
  let continued = false;
  const anchors = search.anchors.candidatesFor(child);
  for (const anchor of anchors) {
    const problem = issuerProblem(child, anchor, path, search, "anchor");
    if (problem) search.deadEnds.add(`${child.label}: anchor ${anchor.label} ${problem}`);
    else {
      search.paths.push({ chain: path.slice(), anchor });
      continued = true;
    }
  }
  // A self-signed certificate is never its own issuer on a path.
  const issuers = search.intermediates.candidatesFor(child).filter((c) => c !== child);
  const screen = issuers.length >= KEY_RECOVERY_THRESHOLD;
  for (const issuer of issuers) {
    const problem = issuerProblem(child, issuer, path, search, "intermediate", screen);
    if (problem) {
      search.deadEnds.add(`${child.label}: candidate issuer ${issuer.label} ${problem}`);
      continue;
    }
    path.push(issuer);
    extend(path, search);
    path.pop();
    continued = true;
  }
  if (continued) return;
  if (child.selfSigned) {
    search.deadEnds.add(`${child.label}: self-signed and not a trust anchor`);
  } else if (anchors.length + issuers.length === 0) {
    search.deadEnds.add(`${child.label}: issuer '${issuerCommonName(child)}' not in pool or anchors`);
  }
}

/** Why `issuer` cannot sign `child` on this path, or undefined when it can. Cheap checks first. */
function issuerProblem(child: Certificate, issuer: Certificate, path: Certificate[], search: Search, role: "anchor" | "intermediate", screen = false): string | undefined {
  if (path.some((onPath) => onPath.isSameEntityAs(issuer))) return "is already on the path (same subject and key: a loop)";
  const checks = role === "anchor" ? search.anchorChecks : "certificate";
  if (checks === "certificate" && !issuer.isValidAt(search.at)) return validityProblem(issuer, search.at);
  // The signature before the extensions: a same-named decoy then fails without a full parse.
  search.budget.spendSignatureCheck();
  if (!signatureVerifies(child, issuer, screen)) return "does not verify the signature (same name, different key)";
  if (role === "intermediate" && !issuer.isCA) return "is not a CA (basicConstraints)";
  if (checks === "name-and-key") return undefined;
  if (issuer.keyUsage !== undefined && !issuer.keyUsage.includes("keyCertSign")) return "may not sign certificates (key usage lacks keyCertSign)";
  // pathLen counts the non-self-issued intermediates below the issuer (RFC 5280 4.2.1.9).
  const below = path.slice(1).filter((c) => !c.selfIssued).length;
  if (issuer.pathLen !== undefined && below > issuer.pathLen) return `allows ${issuer.pathLen} intermediates below it (pathLen) but ${below} would be`;
  return undefined;
}

function validityProblem(cert: Certificate, at: Date): string {
  if (at.getTime() < cert.notBefore.getTime()) return `is not valid before ${isoDate(cert.notBefore)}`;
  return `expired on ${isoDate(cert.notAfter)}`;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The CN of `cert`'s issuer name (the whole name when it has no CN). */
export function issuerCommonName(cert: Certificate): string {
  const cn = /(?:^|,)\s*CN=((?:\\.|[^,])*)/.exec(cert.issuer);
  return cn ? cn[1] : cert.issuer;
}

/** Certificates grouped by subject; lookups use Certificate.isIssuedByName, the one name-matching rule. */
class IssuerIndex {
  private readonly groups: Certificate[][];
  private readonly memo = new Map<string, Certificate[]>();

  constructor(certs: readonly Certificate[]) {
    const bySubject = new Map<string, Map<string, Certificate>>();
    for (const cert of certs) {
      const group = bySubject.get(cert.subjectNameKey) ?? new Map<string, Certificate>();
      group.set(cert.sha256, cert);
      bySubject.set(cert.subjectNameKey, group);
    }
    this.groups = [...bySubject.values()].map((g) => [...g.values()]);
  }

  /** Certificates whose subject is `child`'s issuer name: key-identifier matches first, then by fingerprint. */
  candidatesFor(child: Certificate): Certificate[] {
    let found = this.memo.get(child.sha256);
    if (found) return found;
    found = this.groups.filter((g) => child.isIssuedByName(g[0])).flat();
    found.sort((a, b) => compareStrings(a.sha256, b.sha256));
    this.memo.set(child.sha256, found);
    return found;
  }
}

class Budget {
  private signatureChecks = 0;
  private buildCalls = 0;

  constructor(
    private readonly limits: BudgetLimits,
    private readonly leaf: Certificate,
  ) {}

  spendSignatureCheck(): void {
    if (++this.signatureChecks > this.limits.signatureChecks) this.exceeded(`${this.limits.signatureChecks} signature checks`);
  }

  spendBuildCall(): void {
    if (++this.buildCalls > this.limits.buildCalls) this.exceeded(`${this.limits.buildCalls} build steps`);
  }

  private exceeded(what: string): never {
    throw new ChainBuildError(
      "budget-exceeded",
      `Path building for ${this.leaf.label} gave up after ${what}: the pool holds too many candidate issuers with matching names. ` +
        `Remove unrelated certificates from the pool, or raise the budget.`,
    );
  }
}

// A signature's validity depends only on the signed certificate and the issuer, so results
// are shared across searches (choosing, then checking each profile, then judging). Keyed by
// the issuer's fingerprint, not its key: hashing every decoy's key costs more than checking
// a cross-sign's twin again. Bounded: cleared when full rather than grown without limit.
const SIGNATURE_CACHE_LIMIT = 200_000;
const KEY_RECOVERY_THRESHOLD = 16;
const signatureCache = new Map<string, boolean>();

/** `issuer`'s subject is `child`'s issuer name and its key verifies `child`'s signature (cached). */
export function isIssuerOf(issuer: Certificate, child: Certificate): boolean {
  return child.isIssuedByName(issuer) && signatureVerifies(child, issuer);
}

/**
 * With `screen`, an ECDSA signature's possible signers are recovered once (chain/ecdsa-signers)
 * and candidates outside them fail without a verification each: worth it from about
 * KEY_RECOVERY_THRESHOLD candidates (a recovery costs about 8 P-256 verifications).
 */
function signatureVerifies(child: Certificate, issuer: Certificate, screen = false): boolean {
  const key = `${child.sha256}:${issuer.sha256}`;
  let ok = signatureCache.get(key);
  if (ok === undefined) {
    ok = (!screen || mayHaveSigned(child, issuer)) && child.isSignedBy(issuer);
    if (signatureCache.size >= SIGNATURE_CACHE_LIMIT) signatureCache.clear();
    signatureCache.set(key, ok);
  }
  return ok;
}

function comparePaths(a: CertPath, b: CertPath): number {
  return a.chain.length - b.chain.length || compareStrings(pathKey(a), pathKey(b));
}

function pathKey(path: CertPath): string {
  return [...path.chain, path.anchor].map((c) => c.sha256).join(">");
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
