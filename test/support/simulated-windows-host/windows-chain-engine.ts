/**
 * The simulated host's own chain engine: a small depth-first search written apart from the
 * planner's model (providers/windows/chain-engine-model.ts), so that tests comparing the
 * two are not comparing a thing with itself. Windows behaviour from FACTS.md: issuers from
 * CA, My, WebHosting and SYSTEM's CA; anchors from Root, AuthRoot, SYSTEM's Root and, with
 * automatic root update on, Microsoft's program list; Disallowed blocks a certificate;
 * shortest path wins; at equal length the newest NotBefore wins, position by position.
 */
import { Certificate } from "../../../chain/certificate";

export interface EngineView {
  issuers: Certificate[];
  anchors: Certificate[];
  disallowed: Set<string>;
  at: Date;
}

/** The full chain Windows builds, leaf to anchor; only [leaf] when no trusted path exists. */
export function buildWindowsChain(leaf: Certificate, view: EngineView): { chain: Certificate[]; trusted: boolean } {
  const found: Certificate[][] = [];
  const usable = (c: Certificate) => !view.disallowed.has(c.sha256) && c.isValidAt(view.at);
  const walk = (path: Certificate[]) => {
    if (path.length > 8) return;
    const child = path[path.length - 1];
    for (const anchor of view.anchors) {
      if (usable(anchor) && child.isIssuedByName(anchor) && !path.some((p) => p.isSameEntityAs(anchor)) && child.isSignedBy(anchor)) found.push([...path, anchor]);
    }
    for (const issuer of view.issuers) {
      if (issuer === child || !usable(issuer) || !issuer.isCA || !child.isIssuedByName(issuer)) continue;
      if (path.some((p) => p.isSameEntityAs(issuer)) || !child.isSignedBy(issuer)) continue;
      walk([...path, issuer]);
    }
  };
  if (usable(leaf)) walk([leaf]);
  found.sort((a, b) => a.length - b.length || newestFirst(a, b));
  return found[0] ? { chain: found[0], trusted: true } : { chain: [leaf], trusted: false };
}

function newestFirst(a: Certificate[], b: Certificate[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = b[i].notBefore.getTime() - a[i].notBefore.getTime();
    if (d !== 0) return d;
  }
  return 0;
}
