/**
 * A model of the Windows chain engine (CryptoAPI, as http.sys/Schannel use it), to predict
 * from an inventory which chain IIS will serve, before and after a plan is applied.
 *
 * What it models (FACTS.md, "Windows IIS"):
 * - Issuers come from LocalMachine CA, My and WebHosting and the SYSTEM account's CA store;
 *   anchors are LocalMachine Root and AuthRoot, SYSTEM's Root, and, while automatic root
 *   update is on, any root of Microsoft's program list (Windows fetches it on demand).
 * - A certificate in Disallowed blocks every path through it; the match is per
 *   certificate, so a cross-signed twin of a disallowed root still works.
 * - Among trusted paths the shortest wins; at equal length, at the first position where
 *   two paths differ, the issuer with the newest NotBefore wins.
 * Not modelled: AIA downloads of missing intermediates, revocation, EKU properties.
 * Path enumeration is chain/paths.ts; only the Windows preferences live here.
 */
import { Certificate } from "../../chain/certificate";
import { searchPaths, type CertPath } from "../../chain/paths";
import { HostInventory } from "./inventory";

export interface EngineOptions {
  /** The time the chain is built at. */
  at: Date;
  /** Microsoft's root program list (roots automatic update can bring back). */
  programRoots: readonly Certificate[];
}

export interface EnginePrediction {
  /** What IIS sends: the leaf, then intermediates; the anchor is not sent. Only the leaf when nothing is trusted. */
  served: Certificate[];
  anchor: Certificate | undefined;
  /** Where the anchor comes from, e.g. "Root" or "automatic root update". */
  anchorSource: string | undefined;
  /** In words, for the preview. */
  summary: string;
}

export function predictServedChain(inventory: HostInventory, leaf: Certificate, options: EngineOptions): EnginePrediction {
  const disallowed = new Set(inventory.in("Disallowed").map((c) => c.sha256));
  const allowed = (c: Certificate) => !disallowed.has(c.sha256);
  const storeAnchors = inventory.in("Root", "AuthRoot", "SYSTEM:Root").filter(allowed);
  const autoUpdate = inventory.raw.rootAutoUpdateDisabled ? [] : options.programRoots.filter(allowed);
  const anchors = [...storeAnchors, ...autoUpdate];
  const pool = inventory.in("CA", "SYSTEM:CA", "My", "WebHosting").filter(allowed);
  const search = searchPaths(leaf, pool, { at: options.at, anchors });
  const paths = search.paths.filter((p) => p.chain.every(allowed)).sort(windowsPreference);
  const best = paths[0];
  if (!best) {
    return { served: [leaf], anchor: undefined, anchorSource: undefined, summary: `only ${leaf.label} (Windows finds no trusted chain)` };
  }
  const source = inventory.storesOf(best.anchor).find((s) => s === "Root" || s === "AuthRoot" || s === "SYSTEM:Root") ?? "automatic root update";
  return { served: best.chain, anchor: best.anchor, anchorSource: source, summary: describeChain(best.chain, best.anchor, source) };
}

/** "example.test [..] > R36 [..] > R46 [..] (anchor USERTrust RSA [..] from Root)". */
export function describeChain(served: readonly Certificate[], anchor: Certificate | undefined, source?: string): string {
  const names = served.map((c) => c.label).join(" > ");
  return anchor ? `${names} (anchor ${anchor.label}${source ? ` from ${source}` : ""})` : names;
}

function windowsPreference(a: CertPath, b: CertPath): number {
  const byLength = a.chain.length - b.chain.length;
  if (byLength !== 0) return byLength;
  const left = [...a.chain, a.anchor];
  const right = [...b.chain, b.anchor];
  for (let i = 0; i < left.length; i++) {
    const newer = right[i].notBefore.getTime() - left[i].notBefore.getTime();
    if (newer !== 0) return newer;
  }
  return 0;
}
