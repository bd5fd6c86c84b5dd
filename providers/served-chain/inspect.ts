// What clients receive from each endpoint, judged against the desired chain and the client
// profiles: the facts the served-chain check records, and the problems it fails on, in words.
import { Certificate } from "../../chain/certificate";
import { judgeServed } from "../../chain/judge";
import { parseCertificates } from "../../chain/parse";
import { distinctProfiles, loadProfile, profileFromFile, type ClientProfile } from "../../chain/profiles";
import { probeMany } from "../../probe/probe-many";
import { chainEntry, compareServed } from "../../chain/served-comparison";
import { describeServedDifference } from "../../chain/served-comparison-text";
import { endpointLabel, type Endpoint } from "../../probe/endpoint";

/** A client profile: a spec for chain/profiles.ts loadProfile ("mozilla", "frozen:2016-01-01", "name=FILE"), or a name and the PEM of its roots. */
export type ProfileInput = string | { name: string; roots: string };

/** One certificate as served, in wire order. */
export interface ServedCertificate {
  sha256: string;
  label: string;
  subject: string;
  pem: string;
}

/** What one client profile makes of the served chain. */
export interface ProfileResult {
  profile: string;
  trusted: boolean;
  reason: string;
  /** The client behaviour that decided the verdict, when one did (chain/client-verdict.ts DecidingBehaviour). */
  decidedBy?: string;
}

/** The live state of one endpoint. */
export interface EndpointReport {
  /** "host:port" (and SNI). */
  endpoint: string;
  /** The certificates as sent; empty when the endpoint could not be read. */
  chain: ServedCertificate[];
  /** Why the chain could not be read, when it could not. */
  error?: string;
  matchesDesired: boolean;
  /** Why the served chain is not the desired one, in words; absent when it is (or it could not be read). */
  difference?: string;
  profiles: ProfileResult[];
  /** Judge findings of severity error or warning ("incomplete-chain: ..."). */
  findings: string[];
}

export interface ExpectationInputs {
  endpoints: Endpoint[];
  /** PEM, leaf first, anchor left out. */
  desiredChain: string;
  profiles?: ProfileInput[];
  /** Names of the profiles that must trust the served chain; default: all of them. */
  requiredProfiles?: string[];
  /** Fail (and report drift) when an endpoint serves another chain than the desired one; default true. */
  failOnDiffers?: boolean;
  /** Fail (and report drift) when a required profile does not trust the served chain; default true. */
  failOnUntrusted?: boolean;
  timeoutMs?: number;
}

/** The profiles; the schema (a program in another language) writes a spec as { spec }. */
export function loadProfiles(inputs: (ProfileInput | { spec: string })[] | undefined): ClientProfile[] {
  return distinctProfiles((inputs ?? []).map((p) => (typeof p === "string" ? loadProfile(p) : "spec" in p ? loadProfile(p.spec) : profileFromFile(p.name, p.roots, `the roots of profile ${p.name}`))));
}

/** Probes every endpoint (in parallel) and judges what each one serves. */
export async function inspectEndpoints(inputs: ExpectationInputs, profiles: ClientProfile[] = loadProfiles(inputs.profiles)): Promise<EndpointReport[]> {
  const desired = parseCertificates(inputs.desiredChain, "the desired chain");
  const outcomes = await probeMany(inputs.endpoints.map((e) => ({ ...e, timeoutMs: inputs.timeoutMs ?? 5000 })));
  return outcomes.map((outcome, i) => {
    const { host, port, servername, protocol } = inputs.endpoints[i];
    const endpoint = endpointLabel(host, port, servername, protocol);
    if (!outcome.ok) return { endpoint, chain: [], error: outcome.error.message, matchesDesired: false, profiles: [], findings: [] };
    return judged(endpoint, outcome.result.certificates, desired, profiles);
  });
}

function judged(endpoint: string, served: Certificate[], desired: Certificate[], profiles: ClientProfile[]): EndpointReport {
  const judgement = judgeServed(served, { desired, profiles });
  const difference = describeServedDifference(compareServed(desired.map(chainEntry), served.map(chainEntry)));
  return {
    endpoint,
    chain: served.map((c) => ({ sha256: c.sha256, label: c.label, subject: c.subject, pem: c.pem })),
    matchesDesired: judgement.matchesDesired === true,
    ...(difference ? { difference } : {}),
    profiles: judgement.profiles.map((v) => ({ profile: v.profile, trusted: v.trusted, reason: v.reason, ...(v.decidedBy ? { decidedBy: v.decidedBy } : {}) })),
    // "expires-soon" depends on the day: kept out so that a quiet refresh stays quiet.
    findings: judgement.findings.filter((f) => f.severity !== "info" && f.code !== "expires-soon" && f.code !== "differs-from-desired").map((f) => `${f.code}: ${f.message}`),
  };
}

/** One thing wrong with an endpoint: it cannot be read, it serves another chain, or a required client does not trust it. */
export interface EndpointProblem {
  kind: "unreadable" | "differs" | "untrusted";
  message: string;
}

/** What is wrong with the endpoints, by the rules the inputs set; empty when all is well. */
export function problemsOf(reports: EndpointReport[], inputs: ExpectationInputs): EndpointProblem[] {
  const required = new Set(inputs.requiredProfiles ?? reports.flatMap((r) => r.profiles.map((p) => p.profile)));
  const problems: EndpointProblem[] = [];
  for (const report of reports) {
    if (report.error !== undefined) {
      problems.push({ kind: "unreadable", message: `${report.endpoint}: cannot read the served chain (${report.error})` });
      continue;
    }
    if (inputs.failOnDiffers !== false && !report.matchesDesired) {
      problems.push({ kind: "differs", message: `${report.endpoint}: ${report.difference ?? "the served chain differs from the desired chain"}` });
    }
    if (inputs.failOnUntrusted !== false) {
      for (const verdict of report.profiles) {
        if (required.has(verdict.profile) && !verdict.trusted) {
          problems.push({ kind: "untrusted", message: `${report.endpoint}: client profile "${verdict.profile}" does not trust the served chain (${verdict.reason})` });
        }
      }
    }
  }
  return problems;
}
