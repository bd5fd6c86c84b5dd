/**
 * A model of the chain Schannel builds for http.sys (CryptoAPI, running as SYSTEM), to
 * predict from an inventory which chain IIS will serve, before and after a plan is applied.
 *
 * What it models (FACTS.md, "Windows IIS"):
 * - Issuers come from LocalMachine CA (its .Default, Group Policy and Enterprise physical
 *   stores), My, WebHosting and the SYSTEM account's CA store; anchors are LocalMachine Root
 *   (all its physical stores), AuthRoot, SYSTEM's Root, and, while automatic root update is
 *   on, any root of Microsoft's program list (Windows fetches it on demand).
 * - A certificate in Disallowed blocks every path through it; the match is per
 *   certificate, so a cross-signed twin of a disallowed root still works.
 * - Among trusted paths the shortest wins; at equal length, at the first position where
 *   two paths differ, the issuer with the newest NotBefore wins.
 * - With no trusted path, Windows still returns its best chain (to an untrusted or expired
 *   root, or as far as it got), and Schannel sends that chain.
 * Not modelled: AIA downloads of missing intermediates, revocation, EKU properties.
 * Path enumeration is chain/paths.ts; only the Windows preferences live here.
 */
import { Certificate } from "../../chain/certificate";
import { searchPaths, type CertPath } from "../../chain/paths";
import type { StoreName } from "./contract";
import { HostInventory } from "./inventory";

export interface EngineOptions {
  /** The time the chain is built at. */
  at: Date;
  /** Microsoft's root program list (roots automatic update can bring back). */
  programRoots: readonly Certificate[];
}

export interface EnginePrediction {
  /** What IIS sends: the leaf, then intermediates; a self-signed root at the end is not sent. */
  served: Certificate[];
  anchor: Certificate | undefined;
  /** Where the anchor comes from, e.g. "Root" or "automatic root update". */
  anchorSource: string | undefined;
  trusted: boolean;
  /** In words, for the preview. */
  summary: string;
}

const ANCHOR_STORES: StoreName[] = ["Root", "Root:GroupPolicy", "Root:Enterprise", "AuthRoot", "SYSTEM:Root"];
const ISSUER_STORES: StoreName[] = ["CA", "CA:GroupPolicy", "CA:Enterprise", "SYSTEM:CA", "My", "WebHosting"];

export function predictServedChain(inventory: HostInventory, leaf: Certificate, options: EngineOptions): EnginePrediction {
  const withDer = (stores: StoreName[]) => inventory.in(...stores).flatMap((c) => (c.cert ? [c.cert] : []));
  const disallowed = new Set(withDer(["Disallowed", "Disallowed:GroupPolicy"]).map((c) => c.sha256));
  const allowed = (c: Certificate) => !disallowed.has(c.sha256);
  const storeAnchors = withDer(ANCHOR_STORES).filter(allowed);
  const autoUpdate = inventory.raw.rootAutoUpdateDisabled ? [] : options.programRoots.filter(allowed);
  const pool = withDer(ISSUER_STORES).filter(allowed);
  const search = searchPaths(leaf, pool, { at: options.at, anchors: [...storeAnchors, ...autoUpdate] });
  const best = search.paths.filter((p) => p.chain.every(allowed)).sort(windowsPreference)[0];
  const unseen = unseenNote(inventory);
  if (!best) {
    const built = bestUntrustedChain(leaf, [...pool, ...withDer(ANCHOR_STORES), ...options.programRoots]);
    const served = built.length > 1 && built[built.length - 1].selfSigned ? built.slice(0, -1) : built;
    return { served, anchor: undefined, anchorSource: undefined, trusted: false, summary: `${describeChain(built.map((c) => c.label))} (Windows finds no trusted chain)${unseen}` };
  }
  const source = inventory.storesOf(best.anchor).find((s) => ANCHOR_STORES.includes(s)) ?? "automatic root update";
  return { served: best.chain, anchor: best.anchor, anchorSource: source, trusted: true, summary: `${describeChain(best.chain.map((c) => c.label), best.anchor.label, source)}${unseen}` };
}

/** "example.test [..] > R36 [..] > R46 [..] (anchor USERTrust RSA [..] from Root)". */
export function describeChain(labels: readonly string[], anchor?: string, source?: string): string {
  const names = labels.join(" > ");
  return anchor ? `${names} (anchor ${anchor}${source ? ` from ${source}` : ""})` : names;
}

/** Certificates of the host the model could not use: their DER did not fit in the agent's output. */
function unseenNote(inventory: HostInventory): string {
  const unseen = inventory.raw.omittedDer.map((t) => inventory.byThumbprint(t)?.label ?? t);
  return unseen.length > 0 ? ` [not seen by the model, their DER did not fit in the agent's output: ${unseen.join(", ")}]` : "";
}

/** Windows's best chain when none is trusted: by name and signature, whatever the time, to a self-signed certificate if one can be reached. */
function bestUntrustedChain(leaf: Certificate, candidates: readonly Certificate[]): Certificate[] {
  let best: Certificate[] = [leaf];
  // Reaching a self-signed root beats stopping short; then shorter to a root, longer when stopped short.
  const score = (path: Certificate[]) => (path[path.length - 1].selfSigned && path.length > 1 ? 1000 - path.length : path.length);
  const walk = (path: Certificate[]) => {
    if (score(path) > score(best)) best = path;
    const child = path[path.length - 1];
    if (path.length >= 8 || child.selfSigned) return;
    for (const issuer of candidates) {
      if (child.isIssuedByName(issuer) && !path.some((p) => p.isSameEntityAs(issuer)) && child.isSignedBy(issuer)) walk([...path, issuer]);
    }
  };
  walk([leaf]);
  return best;
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
