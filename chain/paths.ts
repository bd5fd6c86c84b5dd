/**
 * Every valid certification path from a leaf, through intermediates of a pool, to a trust
 * anchor. The shape follows rustls/webpki's verify_cert.rs: one short step over candidate
 * issuers, loop prevention (RFC 4158: same subject and key already on the path), and a
 * budget; what makes a link valid is chain/path-rules.ts.
 *
 * Paths grow breadth first, one certificate per round, so every path of n certificates is
 * found before any of n+1: a cross-sign mesh that exhausts the budget still yields its
 * short paths (the search then says how far it got), and only a search that found nothing
 * within the budget ends with "budget-exceeded".
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
 * - Anchors are trusted by configuration, and checked like any issuer (chain/path-rules.ts):
 *   validity, key, extensions, keyCertSign, pathLen, name constraints, EKU; a v1 anchor is a
 *   CA without basicConstraints, a v3 one needs cA. An expired root (DST Root CA X3 after
 *   2021-09-30) ends no path.
 * - A pool certificate identical to an anchor (same fingerprint) acts only as the anchor.
 * - A cross-sign (same subject and key, another issuer) is a distinct certificate.
 * - The result never depends on the order of the pool: candidates are sorted, and the
 *   budget counts every signature check, cached or not.
 */
import { Certificate } from "./certificate";
import type { AnchorChecks } from "./client-behaviour";
import { ChainBuildError } from "./errors";
import { Refusal, Role, Spending, issuerRefusal, leafRefusal } from "./path-rules";
import { KEY_RECOVERY_THRESHOLD } from "./signatures";
import { OID_COMMON_NAME } from "./x500-name";

export { isIssuerOf } from "./signatures";

export interface BudgetLimits {
  /** Signature checks per search (cached results count too, so results never depend on the cache). */
  signatureChecks: number;
  /** Calls of the step that extends one partial path, per search. */
  buildCalls: number;
  /** Name comparisons for name constraints (names x subtrees), per search. */
  nameComparisons: number;
}

/**
 * Room for a pool of thousands of same-named decoys; a runaway cross-sign mesh still ends
 * quickly. Name comparisons: rustls-webpki's bound (250,000 per verification).
 */
export const DEFAULT_BUDGET: BudgetLimits = { signatureChecks: 10_000, buildCalls: 200_000, nameComparisons: 250_000 };

export interface PathOptions {
  /** The time every certificate on the path must be valid at. */
  at: Date;
  /** Certificates a path may end at. */
  anchors: readonly Certificate[];
  /** What is checked of an anchor (chain/client-behaviour.ts AnchorChecks); default `certificate`: validity, pathLen, key usage. */
  anchorChecks?: AnchorChecks;
  /** Where serverAuth (EKU) is required: on every certificate of the path (default), or on the leaf only (Java). */
  eku?: "path" | "leaf";
  /** Take SHA-1 signatures, as clients from before 2017 did; default false (refused, as for choosing a chain). */
  sha1Signatures?: boolean;
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
  /** One sentence per dead end, its code in brackets, e.g. "Sectigo DV R36 [ab12..]: issuer 'Sectigo R46' not in pool or anchors [missing-issuer]". */
  deadEnds: string[];
  /** Set when the budget ended the search after some paths were found: how far it got. */
  incomplete?: string;
}

/** Every valid path from `leaf`; an empty `paths` list with reasons when none exists. */
export function searchPaths(leaf: Certificate, pool: readonly Certificate[], options: PathOptions): PathSearch {
  const anchorIds = new Set(options.anchors.map((a) => a.sha256));
  const search: Search = {
    at: options.at,
    anchorChecks: options.anchorChecks ?? "certificate",
    eku: options.eku ?? "path",
    sha1: options.sha1Signatures ?? false,
    anchors: new IssuerIndex(options.anchors),
    intermediates: new IssuerIndex(pool.filter((c) => !anchorIds.has(c.sha256))),
    budget: new Budget({ ...DEFAULT_BUDGET, ...options.budget }),
    paths: [],
    deadEnds: new Set(),
  };
  let incomplete: string | undefined;
  if (anchorIds.has(leaf.sha256)) {
    search.paths.push({ chain: [leaf], anchor: leaf });
  } else {
    const refusal = leafRefusal(leaf, options.at);
    if (refusal) search.deadEnds.add(deadEnd(leaf, "the leaf", refusal));
    else incomplete = breadthFirst(leaf, search);
  }
  return { leaf, paths: search.paths.sort(comparePaths), deadEnds: [...search.deadEnds], ...(incomplete ? { incomplete } : {}) };
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
  eku: "path" | "leaf";
  sha1: boolean;
  anchors: IssuerIndex;
  intermediates: IssuerIndex;
  budget: Budget;
  paths: CertPath[];
  deadEnds: Set<string>;
}

/**
 * Grows every partial path by one issuer per round. Returns undefined when the search ran
 * to its end, or a note on how far it got when the budget ended it after finding paths.
 */
function breadthFirst(leaf: Certificate, search: Search): string | undefined {
  let round: Certificate[][] = [[leaf]];
  while (round.length > 0) {
    const next: Certificate[][] = [];
    try {
      for (const path of round) extend(path, search, next);
    } catch (e) {
      if (!(e instanceof BudgetExhausted)) throw e;
      if (search.paths.length === 0) {
        throw new ChainBuildError(
          "budget-exceeded",
          `Path building for ${leaf.label} gave up after ${e.spent} without finding a path (every path of up to ${round[0].length} certificates was considered, not every longer one): ` +
            `the pool holds too many candidate issuers with matching names, or name constraints too costly to check. Remove unrelated certificates from the pool, and copies of the same CA re-issued with its name and key.`,
        );
      }
      return `the budget (${e.spent}) ran out while looking at paths of ${round[0].length + 1} certificates: every shorter path was considered, not every longer one`;
    }
    round = next;
  }
  return undefined;
}

/** One step: ends `path` at each anchor that signed its top certificate, and queues it grown by each valid intermediate. */
function extend(path: Certificate[], search: Search, next: Certificate[][]): void {
  search.budget.spendBuildCall();
  const child = path[path.length - 1];
  let continued = false;
  const anchors = search.anchors.candidatesFor(child);
  for (const anchor of anchors) {
    const refusal = refusalOf(anchor, path, "anchor", search);
    if (refusal) search.deadEnds.add(deadEnd(child, `anchor ${anchor.label}`, refusal));
    else {
      search.paths.push({ chain: path.slice(), anchor });
      continued = true;
    }
  }
  // A self-signed certificate is never its own issuer on a path.
  const issuers = search.intermediates.candidatesFor(child).filter((c) => c !== child);
  const screen = issuers.length >= KEY_RECOVERY_THRESHOLD;
  for (const issuer of issuers) {
    const refusal = refusalOf(issuer, path, "intermediate", search, screen);
    if (refusal) {
      search.deadEnds.add(deadEnd(child, `candidate issuer ${issuer.label}`, refusal));
      continue;
    }
    next.push([...path, issuer]);
    continued = true;
  }
  if (continued) return;
  if (child.selfSigned) {
    search.deadEnds.add(`${child.label}: self-signed and not a trust anchor [untrusted-root]`);
  } else if (anchors.length + issuers.length === 0) {
    search.deadEnds.add(`${child.label}: issuer '${issuerCommonName(child)}' not in pool or anchors [missing-issuer]`);
  }
}

function refusalOf(issuer: Certificate, path: Certificate[], role: Role, search: Search, screen = false): Refusal | undefined {
  return issuerRefusal(issuer, path, role, search.at, screen, search.budget, { anchor: role === "anchor" ? search.anchorChecks : "certificate", eku: search.eku, sha1: search.sha1 });
}

function deadEnd(cert: Certificate, subject: string, refusal: Refusal): string {
  return `${cert.label}: ${subject} ${refusal.reason} [${refusal.code}]`;
}

/** The CN of `cert`'s issuer name (the whole name when it has no CN). */
export function issuerCommonName(cert: Certificate): string {
  return cert.issuerName.values(OID_COMMON_NAME)[0] ?? (cert.issuer || "(an empty name)");
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

/** Thrown inside a search when its budget runs out; breadthFirst decides what it means. */
class BudgetExhausted extends Error {
  constructor(readonly spent: string) {
    super(`budget exhausted after ${spent}`);
  }
}

class Budget implements Spending {
  private signatureChecks = 0;
  private buildCalls = 0;
  private comparisons = 0;

  constructor(private readonly limits: BudgetLimits) {}

  signatureCheck(): void {
    if (++this.signatureChecks > this.limits.signatureChecks) this.exceeded(`${this.limits.signatureChecks} signature checks`);
  }

  nameComparisons(count: number): void {
    this.comparisons += count;
    if (this.comparisons > this.limits.nameComparisons) this.exceeded(`${this.limits.nameComparisons} name-constraint comparisons`);
  }

  spendBuildCall(): void {
    if (++this.buildCalls > this.limits.buildCalls) this.exceeded(`${this.limits.buildCalls} build steps`);
  }

  private exceeded(what: string): never {
    throw new BudgetExhausted(what);
  }
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
