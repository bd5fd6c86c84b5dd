/**
 * Choosing the chain to serve: enumerate every valid path (chain/paths.ts), check which
 * client profiles accept each served chain (chain/profiles.ts), then rank by policy and
 * say in words why each candidate won or lost.
 */
import { Certificate } from "./certificate";
import { ChainBuildError, ChainsmithInputError } from "./errors";
import { BudgetLimits, issuerCommonName, noValidPath, searchPaths } from "./paths";
import { ClientProfile, checkServedChain } from "./profiles";
import { assertValidAt } from "./validity";

export type Policy =
  /** Most client profiles satisfied, then the oldest anchor, then shortest, then longest remaining validity. */
  | { kind: "widest" }
  /** Fewest certificates to serve; ties as `widest`. */
  | { kind: "shortest" }
  /** Paths to the anchor whose subject contains `match` (case-insensitive) or whose SHA-256 is `match`; ties as `widest`. */
  | { kind: "anchor"; match: string }
  /** certbot/cert-manager style: the served chain whose top certificate was issued by this CN; falls back to `widest`. */
  | { kind: "issuer"; commonName: string };

/** One valid path and how it fared. */
export interface Candidate {
  /** Served chain: leaf first, anchor excluded. */
  chain: Certificate[];
  anchor: Certificate;
  /** Names of the profiles that accept this served chain. */
  profiles: string[];
  /** 1 for the chosen candidate. */
  rank: number;
  chosen: boolean;
  /** Why it won or lost, in words. */
  why: string;
}

export interface ChainChoice {
  leaf: Certificate;
  /** The chain to serve: leaf first, anchor excluded. */
  chain: Certificate[];
  anchor: Certificate;
  /** The policy as a spec string ("widest", "anchor=ISRG Root X1"). */
  policy: string;
  /** Every valid path, best first. */
  candidates: Candidate[];
  /** Names of all profiles considered, in the order given. */
  profiles: string[];
  at: Date;
  /** Why every other branch of the search ended, each with its code in brackets ("[weak-signature]"). */
  refused: string[];
  /** Set when the search budget ended the search early: how far it got. */
  incomplete?: string;
}

export interface ChooseOptions {
  profiles: ClientProfile[];
  /** A Policy or a spec string; default "widest". */
  policy?: Policy | string;
  /** Validity time; default now. */
  at?: Date;
  /** Extra trust anchors beyond the profiles' roots (a private PKI). */
  anchors?: Certificate[];
  budget?: Partial<BudgetLimits>;
}

/** Parses "widest", "shortest", "anchor=ISRG Root X1", "anchor=<sha256>", "issuer=R3". */
export function parsePolicy(spec: string): Policy {
  const trimmed = spec.trim();
  if (trimmed === "widest" || trimmed === "shortest") return { kind: trimmed };
  const eq = trimmed.indexOf("=");
  const kind = eq > 0 ? trimmed.slice(0, eq).trim() : trimmed;
  const value = eq > 0 ? trimmed.slice(eq + 1).trim() : "";
  if ((kind === "anchor" || kind === "issuer") && value === "") {
    throw new ChainsmithInputError("bad-policy", `Policy '${spec}' needs a value: ${kind}=<${kind === "anchor" ? "root subject or SHA-256" : "issuer common name"}>, e.g. ${kind === "anchor" ? "anchor=ISRG Root X1" : "issuer=R3"}.`);
  }
  if (kind === "anchor") return { kind, match: value };
  if (kind === "issuer") return { kind, commonName: value };
  throw new ChainsmithInputError("bad-policy", `Unknown policy '${spec}'. Use widest, shortest, anchor=<root subject or SHA-256>, or issuer=<CN>.`);
}

export function policySpec(policy: Policy): string {
  switch (policy.kind) {
    case "anchor":
      return `anchor=${policy.match}`;
    case "issuer":
      return `issuer=${policy.commonName}`;
    default:
      return policy.kind;
  }
}

/** Chooses the chain `leaf` should be served with; ChainBuildError when no valid path exists. */
export function choosePath(leaf: Certificate, pool: readonly Certificate[], options: ChooseOptions): ChainChoice {
  const policy = typeof options.policy === "string" ? parsePolicy(options.policy) : (options.policy ?? { kind: "widest" });
  const at = options.at ?? new Date();
  const anchors = [...options.profiles.flatMap((p) => p.roots), ...(options.anchors ?? [])];
  if (anchors.length === 0) {
    throw new ChainsmithInputError("no-anchors", "No trust anchors: give at least one client profile (e.g. mozilla) or your own root certificates as anchors.");
  }
  if (leaf.isCA) {
    throw new ChainsmithInputError(
      "leaf-is-ca",
      `The leaf ${leaf.label} is a CA certificate (basicConstraints CA:TRUE); clients such as Firefox refuse a CA certificate as a server certificate. ` +
        `Pass the server's own certificate as the leaf (were the certificate and chain files swapped?).`,
    );
  }
  // An expired or future leaf is the user's to fix (renew it, or check the time), not a missing intermediate.
  assertValidAt([leaf], at);
  const search = searchPaths(leaf, pool, { at, anchors, budget: options.budget });
  if (search.paths.length === 0) throw noValidPath(search);
  const scored = search.paths.map((path) => ({
    ...path,
    profiles: options.profiles.filter((p) => checkServedChain(p, path.chain, at, { budget: options.budget }).trusted).map((p) => p.name),
  }));
  const ranked = rank(scored, policy, options.profiles.length);
  const winner = ranked[0];
  return {
    leaf,
    chain: winner.chain,
    anchor: winner.anchor,
    policy: policySpec(policy),
    candidates: ranked,
    profiles: options.profiles.map((p) => p.name),
    at,
    refused: search.deadEnds,
    ...(search.incomplete ? { incomplete: search.incomplete } : {}),
  };
}

type Scored = Omit<Candidate, "rank" | "chosen" | "why">;

/** A ranking criterion: negative when `a` is better, with the words that say so. */
interface Criterion {
  compare(a: Scored, b: Scored): number;
  /** Why `loser` lost to `winner` on this criterion. */
  lost(loser: Scored, winner: Scored): string;
}

function rank(scored: Scored[], policy: Policy, profileCount: number): Candidate[] {
  const criteria = criteriaFor(policy, scored, profileCount);
  const order = (a: Scored, b: Scored) => {
    for (const c of criteria) {
      const d = c.compare(a, b);
      if (d !== 0) return d;
    }
    return 0;
  };
  const sorted = [...scored].sort(order);
  const winner = sorted[0];
  return sorted.map((candidate, i) => {
    if (i === 0) return { ...candidate, rank: 1, chosen: true, why: wonBecause(candidate, sorted, criteria, policy, profileCount) };
    const decisive = criteria.find((c) => c.compare(candidate, winner) !== 0);
    return { ...candidate, rank: i + 1, chosen: false, why: `lost: ${decisive ? decisive.lost(candidate, winner) : "identical in every respect"}` };
  });
}

function wonBecause(winner: Scored, sorted: Scored[], criteria: Criterion[], policy: Policy, profileCount: number): string {
  const facts = `${winner.profiles.length} of ${profileCount} profiles, ${winner.chain.length} served, anchor ${winner.anchor.commonName ?? winner.anchor.subject}`;
  if (policy.kind === "issuer" && !matchesIssuer(winner, policy.commonName)) {
    return `chosen by widest (no served chain has top issuer '${policy.commonName}'): ${facts}`;
  }
  if (sorted.length === 1) return `chosen: the only valid path (${facts})`;
  return `chosen by ${policySpec(policy)}: ${facts}`;
}

function criteriaFor(policy: Policy, scored: Scored[], profileCount: number): Criterion[] {
  const widest = [mostProfiles(profileCount), oldestAnchor, fewestCertificates, longestValidity, byFingerprints];
  switch (policy.kind) {
    case "widest":
      return widest;
    case "shortest":
      return [fewestCertificates, ...widest];
    case "anchor": {
      const wanted = (c: Scored) => matchesAnchor(c.anchor, policy.match);
      if (!scored.some(wanted)) {
        const available = [...new Set(scored.map((c) => c.anchor.label))].join(", ");
        throw new ChainBuildError("no-valid-path", `No valid path ends at an anchor matching '${policy.match}'. Valid paths end at: ${available}.`);
      }
      return [preferring(wanted, (l) => `its anchor ${l.anchor.label} does not match '${policy.match}'`), ...widest];
    }
    case "issuer": {
      const wanted = (c: Scored) => matchesIssuer(c, policy.commonName);
      return [preferring(wanted, (l) => `its top issuer is '${topIssuerName(l)}', not '${policy.commonName}'`), ...widest];
    }
  }
}

function preferring(wanted: (c: Scored) => boolean, lost: (loser: Scored) => string): Criterion {
  return { compare: (a, b) => Number(wanted(b)) - Number(wanted(a)), lost: (l) => lost(l) };
}

function mostProfiles(total: number): Criterion {
  return {
    compare: (a, b) => b.profiles.length - a.profiles.length,
    lost: (l, w) => {
      const missing = w.profiles.filter((p) => !l.profiles.includes(p));
      return `satisfies ${l.profiles.length} of ${total} profiles, the winner ${w.profiles.length}${missing.length ? ` (not ${missing.join(", ")})` : ""}`;
    },
  };
}

const oldestAnchor: Criterion = {
  compare: (a, b) => a.anchor.notBefore.getTime() - b.anchor.notBefore.getTime(),
  lost: (l, w) => `same profiles; its anchor ${l.anchor.label} (${year(l.anchor)}) is newer than ${w.anchor.label} (${year(w.anchor)})`,
};

const fewestCertificates: Criterion = {
  compare: (a, b) => a.chain.length - b.chain.length,
  lost: (l, w) => `serves ${l.chain.length} certificates, the winner ${w.chain.length}`,
};

const longestValidity: Criterion = {
  compare: (a, b) => pathExpiry(b) - pathExpiry(a),
  lost: (l, w) => `expires sooner (${new Date(pathExpiry(l)).toISOString().slice(0, 10)}, the winner ${new Date(pathExpiry(w)).toISOString().slice(0, 10)})`,
};

const byFingerprints: Criterion = {
  compare: (a, b) => (fingerprints(a) < fingerprints(b) ? -1 : fingerprints(a) > fingerprints(b) ? 1 : 0),
  lost: () => "equal on every criterion; ordered by fingerprints for a stable choice",
};

function pathExpiry(c: Scored): number {
  return Math.min(...[...c.chain, c.anchor].map((x) => x.notAfter.getTime()));
}

function fingerprints(c: Scored): string {
  return [...c.chain, c.anchor].map((x) => x.sha256).join(">");
}

function year(c: Certificate): string {
  return String(c.notBefore.getUTCFullYear());
}

function matchesAnchor(anchor: Certificate, match: string): boolean {
  const hex = match.replace(/:/g, "").toLowerCase();
  return anchor.sha256 === hex || anchor.subject.toLowerCase().includes(match.toLowerCase());
}

/** certbot's rule: the issuer CN of the topmost served certificate. */
function topIssuerName(c: Scored): string {
  return issuerCommonName(c.chain[c.chain.length - 1]);
}

function matchesIssuer(c: Scored, commonName: string): boolean {
  return topIssuerName(c).toLowerCase() === commonName.trim().toLowerCase();
}
