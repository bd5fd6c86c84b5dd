// Why a host no longer matches what was deployed, in words a person acts on. Pure: it
// compares the state recorded at deployment with the live state read from the host.

/** One certificate of a chain: SHA-256 of the DER and a readable label ("CN [ab12cd34]"). */
export interface ChainEntry {
  sha256: string;
  label: string;
}

/** A content whose hash we can recognise on the host ("the leaf only"). */
export interface KnownContent {
  sha256: string;
  description: string;
}

export interface RecordedFile {
  path: string;
  sha256: string;
}

export interface RecordedState {
  files: RecordedFile[];
  /** The chain the endpoints must serve, leaf first. */
  chain: ChainEntry[];
  knownContents: KnownContent[];
}

export interface LiveEndpoint {
  /** "host:port" (and SNI). */
  endpoint: string;
  /** The certificates as sent, in wire order; absent when the endpoint could not be read. */
  served?: ChainEntry[];
  error?: string;
}

export interface LiveState {
  /** Hash of each file on the host; null when the file is missing. */
  files: { path: string; sha256: string | null }[];
  endpoints: LiveEndpoint[];
}

/** Every difference between what was deployed and what the host has; empty when there is no drift. */
export function explainDrift(recorded: RecordedState, live: LiveState): string[] {
  const reasons: string[] = [];
  for (const file of recorded.files) {
    const now = live.files.find((f) => f.path === file.path);
    if (!now || now.sha256 === null) {
      reasons.push(`${file.path} is missing on the host`);
    } else if (now.sha256 !== file.sha256) {
      const known = recorded.knownContents.find((k) => k.sha256 === now.sha256);
      reasons.push(`${file.path} changed on the host${known ? `: it now holds ${known.description}` : ""}`);
    }
  }
  for (const endpoint of live.endpoints) {
    if (!endpoint.served) {
      reasons.push(`${endpoint.endpoint}: cannot read the served chain (${endpoint.error ?? "no answer"})`);
      continue;
    }
    const mismatch = explainServedChain(recorded.chain, endpoint.served);
    if (mismatch) reasons.push(`${endpoint.endpoint}: ${mismatch}`);
  }
  return reasons;
}

/** Why `served` differs from `expected` (both leaf first), or undefined when they are equal. */
export function explainServedChain(expected: ChainEntry[], served: ChainEntry[]): string | undefined {
  const same = (a: ChainEntry[], b: ChainEntry[]) => a.length === b.length && a.every((c, i) => c.sha256 === b[i].sha256);
  if (same(expected, served)) return undefined;
  const counts = `server sends ${certificates(served.length)}, expected ${expected.length}`;
  const labels = (entries: ChainEntry[]) => entries.map((e) => e.label).join(", ");
  if (served.length === 0) return `${counts}: no certificate at all`;
  if (served[0].sha256 !== expected[0].sha256) {
    return `${counts}: it serves another certificate, ${served[0].label}, instead of ${expected[0].label} (old files, or the server was not reloaded)`;
  }
  const isPrefix = served.length < expected.length && served.every((c, i) => c.sha256 === expected[i].sha256);
  if (isPrefix) {
    const what = served.length === 1 ? "the leaf only" : "an incomplete chain";
    return `${counts}: ${what}, missing ${labels(expected.slice(served.length))} (clients without them fail with "unable to get local issuer certificate")`;
  }
  const expectedSet = new Set(expected.map((e) => e.sha256));
  const servedSet = new Set(served.map((e) => e.sha256));
  const missing = expected.filter((e) => !servedSet.has(e.sha256));
  const extra = served.filter((e) => !expectedSet.has(e.sha256));
  if (missing.length === 0 && extra.length === 0) {
    return `${counts}: the right certificates in the wrong order (${labels(served)}; expected ${labels(expected)})`;
  }
  const parts = [...(missing.length ? [`missing ${labels(missing)}`] : []), ...(extra.length ? [`unexpected ${labels(extra)}`] : [])];
  return `${counts}: ${parts.join("; ")}`;
}

function certificates(count: number): string {
  return `${count} certificate${count === 1 ? "" : "s"}`;
}
