/**
 * The simulated host's own chain engine: a small depth-first search written apart from the
 * planner's model (providers/windows/chain-engine-model.ts), so that tests comparing the
 * two are not comparing a thing with itself. Windows behaviour from FACTS.md: the caller
 * gives the issuers and anchors its context sees (Schannel sees the SYSTEM account's stores,
 * a machine-context chain does not; AIA-fetched certificates come from the network);
 * Disallowed blocks a certificate; shortest trusted path wins; at equal length the newest
 * NotBefore wins, position by position. With no trusted path Windows still returns its best
 * chain: to a self-signed root (untrusted or expired) if one can be reached, else as far as
 * it got, with the status saying why.
 */
import { Certificate } from "../../../chain/certificate";

export interface EngineView {
  issuers: Certificate[];
  anchors: Certificate[];
  disallowed: Set<string>;
  at: Date;
}

export interface BuiltChain {
  /** Leaf to the last certificate found (the anchor when trusted). */
  chain: Certificate[];
  trusted: boolean;
  /** X509ChainStatus flags when not trusted. */
  status: string[];
}

export function buildWindowsChain(leaf: Certificate, view: EngineView): BuiltChain {
  const trustedPaths: Certificate[][] = [];
  const anyPaths: Certificate[][] = [];
  const anchorIds = new Set(view.anchors.map((a) => a.sha256));
  const walk = (path: Certificate[]) => {
    anyPaths.push(path);
    if (path.length > 8) return;
    const child = path[path.length - 1];
    if (child.selfSigned && path.length > 1) return;
    for (const candidate of [...view.anchors, ...view.issuers]) {
      if (candidate === child || !child.isIssuedByName(candidate) || path.some((p) => p.isSameEntityAs(candidate)) || !child.isSignedBy(candidate)) continue;
      const next = [...path, candidate];
      if (anchorIds.has(candidate.sha256) && next.every((c) => usable(c, view))) trustedPaths.push(next);
      else if (candidate.isCA || candidate.selfSigned) walk(next);
    }
  };
  walk([leaf]);
  trustedPaths.sort((a, b) => a.length - b.length || newestFirst(a, b));
  if (trustedPaths[0]) return { chain: trustedPaths[0], trusted: true, status: [] };
  const toRoot = anyPaths.filter((p) => p.length > 1 && p[p.length - 1].selfSigned).sort((a, b) => a.length - b.length)[0];
  const best = toRoot ?? anyPaths.sort((a, b) => b.length - a.length)[0];
  return { chain: best, trusted: false, status: statusOf(best, toRoot !== undefined, view) };
}

function usable(c: Certificate, view: EngineView): boolean {
  return !view.disallowed.has(c.sha256) && c.isValidAt(view.at);
}

function statusOf(chain: Certificate[], reachedRoot: boolean, view: EngineView): string[] {
  const status = new Set<string>();
  if (chain.some((c) => view.disallowed.has(c.sha256))) status.add("ExplicitDistrust");
  if (chain.some((c) => !c.isValidAt(view.at))) status.add("NotTimeValid");
  status.add(reachedRoot ? "UntrustedRoot" : "PartialChain");
  return [...status];
}

function newestFirst(a: Certificate[], b: Certificate[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = b[i].notBefore.getTime() - a[i].notBefore.getTime();
    if (d !== 0) return d;
  }
  return 0;
}
