// The words of a served-chain comparison: what drift messages, failed deployments and the
// judge say when a server does not send the desired chain. The one place to change them.
import { printable } from "./printable";
import type { ChainEntry, ServedComparison, Twin } from "./served-comparison";

// Labels come from the certificates a server sends: made printable (no control characters).
const label = (e: ChainEntry) => printable(e.label);
const labels = (entries: readonly ChainEntry[]) => entries.map(label).join(", ");
const certificates = (count: number) => `${count} certificate${count === 1 ? "" : "s"}`;

/** Why the served chain is not the desired one, in one sentence; undefined when it is. */
export function describeServedDifference(c: ServedComparison): string | undefined {
  if (c.code === "same") return undefined;
  const counts = `server sends ${certificates(c.served.length)}, expected ${c.desired.length}`;
  switch (c.code) {
    case "nothing-served":
      return `${counts}: no certificate at all`;
    case "other-leaf":
      return `${counts}: it serves another certificate, ${label(c.served[0])}, instead of ${label(c.desired[0])} (old files, or the server was not reloaded)`;
    case "missing-intermediates":
      return `${counts}: ${c.served.length === 1 ? "the leaf only" : "an incomplete chain"}, missing ${labels(c.missing)} (clients without them fail with "unable to get local issuer certificate")`;
    case "extra-root":
      return `${counts}: the desired chain, then the root ${labels(c.unexpected)} (clients use their own copy: sending it only costs bytes)`;
    case "extra-certificates":
      return `${counts}: the desired chain, then ${labels(c.unexpected)}, not part of it`;
    case "wrong-order":
      return `${counts}: the right certificates in the wrong order (${labels(c.served)}; expected ${labels(c.desired)})`;
    case "other-certificates": {
      // A twin explains one missing and one unexpected certificate at once.
      const missing = c.missing.filter((m) => !c.twins.some((t) => t.desired.sha256 === m.sha256));
      const unexpected = c.unexpected.filter((u) => !c.twins.some((t) => t.served.sha256 === u.sha256));
      const parts = [...c.twins.map(describeTwin), ...(missing.length ? [`missing ${labels(missing)}`] : []), ...(unexpected.length ? [`unexpected ${labels(unexpected)}`] : [])];
      return `${counts}: ${parts.join("; ")}`;
    }
  }
}

/** A served certificate with the right subject that is another certificate. */
export function describeTwin(t: Twin): string {
  return `position ${t.position} holds ${label(t.served)}${origin(t.served)} where ${label(t.desired)}${origin(t.desired)} is desired: the same name, another certificate, trusted by other clients`;
}

function origin(e: ChainEntry): string {
  if (e.selfSigned) return " (self-signed)";
  return e.issuer ? ` (issued by ${printable(e.issuer)})` : "";
}
