/**
 * The one path a greedy client builds, for the behaviours that do not search every path
 * (chain/client-behaviour.ts PathBuilding). Issuers are matched as OpenSSL's
 * X509_check_issued does: by name, the key identifiers agreeing when both are present,
 * and keyCertSign when key usage is present. Signatures, validity and constraints are
 * checked afterwards, on the path as a whole (chain/client-verdict.ts).
 */
import { Certificate } from "./certificate";
import type { PathBuilding } from "./client-behaviour";

/** A path to judge: the leaf first, then the served certificates taken, and the root reached (if any). */
export interface GreedyPath {
  chain: Certificate[];
  anchor?: Certificate;
}

/** The paths the client tries, in order; it accepts the served chain when one of them is valid. */
export function greedyPaths(building: Exclude<PathBuilding, "any-path">, served: readonly Certificate[], roots: readonly Certificate[], at: Date): GreedyPath[] {
  const [leaf, ...rest] = served;
  const untrusted = rest.filter((c, i) => rest.findIndex((o) => o.sha256 === c.sha256) === i);
  switch (building) {
    case "trusted-first":
      return [trustedFirst(leaf, untrusted, roots, at)];
    case "untrusted-first":
      return [untrustedFirst(leaf, untrusted, roots, at)];
    case "served-order":
      return servedOrder(leaf, untrusted, roots, at);
  }
}

/** OpenSSL >= 1.1.0: the store first at every step, then the served certificates; a self-signed issuer ends the path. */
function trustedFirst(leaf: Certificate, untrusted: Certificate[], roots: readonly Certificate[], at: Date): GreedyPath {
  const exact = roots.find((r) => r.sha256 === leaf.sha256);
  if (exact) return { chain: [leaf], anchor: exact };
  const chain = [leaf];
  for (let top = leaf; ; ) {
    const anchor = preferValid(roots.filter((r) => checkIssued(r, top)), at);
    if (anchor) return { chain, anchor };
    const next = preferValid(untrusted.filter((c) => !chain.includes(c) && checkIssued(c, top)), at);
    if (!next || next.selfSigned) return alternative(chain, roots, at);
    chain.push(next);
    top = next;
  }
}

/** OpenSSL < 1.1.0: the served certificates as far as they go, then the store. */
function untrustedFirst(leaf: Certificate, untrusted: Certificate[], roots: readonly Certificate[], at: Date): GreedyPath {
  const chain = [leaf];
  for (let top = leaf; !top.selfSigned; ) {
    const next = preferValid(untrusted.filter((c) => !chain.includes(c) && checkIssued(c, top)), at);
    if (!next) break;
    chain.push(next);
    top = next;
  }
  // A served self-signed top is set aside and looked up in the store instead.
  if (chain.length > 1 && chain[chain.length - 1].selfSigned) chain.pop();
  return alternative(chain, roots, at);
}

/**
 * The root for the highest certificate of `chain` whose issuer the store holds, the path
 * cut there ("alternative chains", OpenSSL 1.0.2); none when no certificate has one.
 */
function alternative(chain: Certificate[], roots: readonly Certificate[], at: Date): GreedyPath {
  for (let j = chain.length; j >= 1; j--) {
    const child = chain[j - 1];
    const same = roots.find((r) => r.sha256 === child.sha256);
    if (same) return { chain: j === 1 ? [child] : chain.slice(0, j - 1), anchor: same };
    const anchor = preferValid(roots.filter((r) => checkIssued(r, child)), at);
    if (anchor) return { chain: chain.slice(0, j), anchor };
  }
  return { chain };
}

/** GnuTLS: the served certificates sorted from the leaf, first match by name; then the same path cut at a served certificate whose name and key are trusted. */
function servedOrder(leaf: Certificate, untrusted: Certificate[], roots: readonly Certificate[], at: Date): GreedyPath[] {
  const chain = [leaf];
  for (let top = leaf; !top.selfSigned; ) {
    const next = untrusted.find((c) => !chain.includes(c) && top.isIssuedByName(c));
    if (!next) break;
    chain.push(next);
    top = next;
  }
  if (chain.length > 1 && chain[chain.length - 1].selfSigned) chain.pop();
  const top = chain[chain.length - 1];
  const attempts: GreedyPath[] = [{ chain, anchor: preferValid(roots.filter((r) => checkIssued(r, top)), at) }];
  const cut = chain.findIndex((c, i) => i > 0 && roots.some((r) => r.isSameEntityAs(c)));
  if (cut > 0) attempts.push({ chain: chain.slice(0, cut), anchor: roots.find((r) => r.isSameEntityAs(chain[cut])) });
  return attempts;
}

/** X509_check_issued: the names chain, the key identifiers agree when both are present, and the issuer may sign certificates. */
function checkIssued(issuer: Certificate, child: Certificate): boolean {
  if (!child.isIssuedByName(issuer)) return false;
  if (child.authorityKeyId && issuer.subjectKeyId && child.authorityKeyId !== issuer.subjectKeyId) return false;
  return issuer.keyUsage === undefined || issuer.keyUsage.includes("keyCertSign");
}

function preferValid(candidates: Certificate[], at: Date): Certificate | undefined {
  return candidates.find((c) => c.isValidAt(at)) ?? candidates[0];
}
