/**
 * Judging a served chain (certificates in wire order, leaf first): the chain issues SSL
 * Labs reports, how it differs from the desired chain, and which clients accept it.
 * Positions count from 0 at the leaf, in wire order. "incomplete-chain" needs profiles: it
 * means the top served certificate is neither a root nor issued by a root any profile holds.
 */
import { Certificate } from "./certificate";
import { isIssuerOf, issuerCommonName } from "./paths";
import { ClientProfile, ProfileVerdict, checkServedChain } from "./profiles";
import { chainEntry, compareServed } from "./served-comparison";
import { describeServedDifference, describeTwin } from "./served-comparison-text";

export type Severity = "error" | "warning" | "info";

/** Stable codes: programs and tests rely on them. */
export type FindingCode =
  | "empty-chain"
  | "leaf-is-ca"
  | "self-signed-leaf"
  | "incomplete-chain"
  | "extra-certificate"
  | "duplicate-certificate"
  | "wrong-order"
  | "contains-anchor"
  | "expired"
  | "not-yet-valid"
  | "sha1-signature"
  | "expires-soon"
  | "differs-from-desired"
  | "wrong-certificate-same-subject";

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
  /** Wire position of the certificate concerned (0 = leaf). */
  position?: number;
}

export interface JudgeOptions {
  /** The chain that should be served (leaf first, anchor excluded), e.g. ChainChoice.chain. */
  desired?: readonly Certificate[];
  profiles: readonly ClientProfile[];
  /** Default now. */
  at?: Date;
  /** Warn when a served certificate expires within this many days; default 30 (as cfssl). */
  expiryWarningDays?: number;
  /** What clients that fetch AIA can download (the pool); default the desired chain. */
  aiaCertificates?: readonly Certificate[];
}

export interface Judgement {
  served: Certificate[];
  findings: Finding[];
  /** One verdict per profile, in the order given, with the behaviour that decided it where one did. */
  profiles: ProfileVerdict[];
  /** Byte-for-byte the desired chain; undefined when none was given. */
  matchesDesired: boolean | undefined;
  /** No finding of severity "error". */
  ok: boolean;
}

const DAY = 24 * 3600 * 1000;

export function judgeServed(served: readonly Certificate[], options: JudgeOptions): Judgement {
  const at = options.at ?? new Date();
  const findings: Finding[] = [];
  if (served.length === 0) {
    findings.push({ code: "empty-chain", severity: "error", message: "The server sent no certificates." });
  } else {
    findings.push(...structureFindings(served, options.profiles), ...memberFindings(served, at, options.expiryWarningDays ?? 30));
  }
  const desired = options.desired;
  if (desired) findings.push(...desiredFindings(served, desired));
  return {
    served: [...served],
    findings,
    profiles: options.profiles.map((p) => checkServedChain(p, served, at, { aiaCertificates: options.aiaCertificates ?? desired })),
    matchesDesired: desired ? desired.length === served.length && desired.every((d, i) => d.sha256 === served[i].sha256) : undefined,
    ok: !findings.some((f) => f.severity === "error"),
  };
}

/** Order, completeness, extras, duplicates and anchors: what the wire order says about the chain. */
function structureFindings(served: readonly Certificate[], profiles: readonly ClientProfile[]): Finding[] {
  const findings: Finding[] = [];
  const leaf = served[0];
  if (leaf.isCA) {
    findings.push({ code: "leaf-is-ca", severity: "error", position: 0, message: `The first certificate, ${leaf.label}, is a CA certificate: the server sends an intermediate where its own certificate belongs. Serve the leaf first.` });
  }
  const rootIds = new Set(profiles.flatMap((p) => p.roots.map((r) => r.sha256)));
  if (leaf.selfSigned && !rootIds.has(leaf.sha256)) {
    findings.push({ code: "self-signed-leaf", severity: "error", position: 0, message: `The leaf ${leaf.label} is self-signed: no client trusts it unless it is installed on each client. Get a certificate from a CA.` });
  }
  const firstSeen = new Map<string, number>();
  served.forEach((c, i) => {
    const earlier = firstSeen.get(c.sha256);
    if (earlier === undefined) firstSeen.set(c.sha256, i);
    else findings.push({ code: "duplicate-certificate", severity: "warning", position: i, message: `Position ${i}: ${c.label} is sent again (first at position ${earlier}). Remove the copy.` });
  });
  const sequence = issuerSequence(served, firstSeen);
  if (sequence.some((position, k) => position !== k)) {
    const order = sequence.map((p) => `${served[p].label} (position ${p})`).join(" -> ");
    findings.push({ code: "wrong-order", severity: "warning", message: `The chain is out of order: it runs ${order}. Serve the leaf first, then each certificate's issuer.` });
  }
  served.forEach((c, i) => {
    if (i === 0 || firstSeen.get(c.sha256) !== i) return;
    if (c.selfSigned || rootIds.has(c.sha256)) {
      findings.push({ code: "contains-anchor", severity: "info", position: i, message: `Position ${i}: ${c.label} is a root (trust anchor); clients use their own copy, so sending it only costs bytes.` });
    } else if (!sequence.includes(i)) {
      findings.push({ code: "extra-certificate", severity: "warning", position: i, message: `Position ${i}: ${c.label} is not on the path from the leaf (it issued none of the certificates before it). Remove it.` });
    }
  });
  const top = served[sequence[sequence.length - 1]];
  const roots = profiles.flatMap((p) => p.roots);
  if (roots.length > 0 && !top.selfSigned && !roots.some((r) => isIssuerOf(r, top))) {
    findings.push({
      code: "incomplete-chain",
      severity: "error",
      position: sequence[sequence.length - 1],
      message: `Incomplete chain: the issuer of ${top.label}, '${issuerCommonName(top)}', was not sent and is not a root of any profile. Clients without AIA fetching (Android, Firefox, curl, Java) fail. Add the missing intermediate.`,
    });
  }
  return findings;
}

/** Wire positions of leaf, its issuer, that one's issuer, ... as far as the served certificates go. */
function issuerSequence(served: readonly Certificate[], firstSeen: Map<string, number>): number[] {
  const sequence = [0];
  for (;;) {
    const current = served[sequence[sequence.length - 1]];
    const next = served.findIndex(
      (c, i) => firstSeen.get(c.sha256) === i && !sequence.some((p) => served[p].isSameEntityAs(c)) && isIssuerOf(c, current),
    );
    if (next < 0) return sequence;
    sequence.push(next);
  }
}

/** Validity, expiry and weak signatures of each served certificate. */
function memberFindings(served: readonly Certificate[], at: Date, warningDays: number): Finding[] {
  const findings: Finding[] = [];
  served.forEach((c, i) => {
    if (at < c.notBefore) {
      findings.push({ code: "not-yet-valid", severity: "error", position: i, message: `Position ${i}: ${c.label} is not valid before ${c.notBefore.toISOString()}.` });
    } else if (at > c.notAfter) {
      findings.push({ code: "expired", severity: "error", position: i, message: `Position ${i}: ${c.label} expired on ${c.notAfter.toISOString()}. Renew it or serve its current version.` });
    } else if (c.notAfter.getTime() - at.getTime() < warningDays * DAY) {
      const days = Math.floor((c.notAfter.getTime() - at.getTime()) / DAY);
      findings.push({ code: "expires-soon", severity: "warning", position: i, message: `Position ${i}: ${c.label} expires in ${days} days (${c.notAfter.toISOString().slice(0, 10)}).` });
    }
    // A root's own signature is never checked by clients, so a SHA-1 self-signature is harmless.
    if (c.signatureHash === "SHA-1" && !c.selfSigned) {
      findings.push({ code: "sha1-signature", severity: "warning", position: i, message: `Position ${i}: ${c.label} is signed with SHA-1, which current clients reject. Get it reissued with SHA-256.` });
    }
  });
  return findings;
}

/** Against the desired chain: a finding per same-named twin, and one for the rest of the difference. */
function desiredFindings(served: readonly Certificate[], desired: readonly Certificate[]): Finding[] {
  const comparison = compareServed(desired.map(chainEntry), served.map(chainEntry));
  if (comparison.code === "same") return [];
  const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1) + ".";
  const findings: Finding[] = comparison.twins.map((t) => ({ code: "wrong-certificate-same-subject", severity: "error", position: t.position, message: sentence(describeTwin(t)) }));
  const explainedByTwins = comparison.missing.length === comparison.twins.length && comparison.unexpected.length === comparison.twins.length && comparison.code === "other-certificates";
  if (!explainedByTwins) findings.push({ code: "differs-from-desired", severity: "error", message: sentence(describeServedDifference(comparison)!) });
  return findings;
}
