// The chainsmith:index:ServedChainCheck resource kind of the provider plugin: create and
// update probe each endpoint until it serves the desired chain (or fail `pulumi up` with the
// cause and the fix), diff probes again on every preview (drift), read records the live
// served chains on refresh. It holds no secret: only public certificates and endpoints.
import { CheckFailures } from "../check-failures";
import { ChainsmithInputError } from "../../chain/errors";
import { parseCertificates } from "../../chain/parse";
import { checkProtocol } from "../../probe/endpoint";
import type { DiffOutcome, PropertyChange, ResourceKind } from "../plugin/resource-kind";
import { hasUnknowns } from "../plugin/wire";
import { untilSteady } from "../../probe/until-steady";
import { inspectEndpoints, loadProfiles, problemsOf, type EndpointProblem, type EndpointReport, type ExpectationInputs } from "./inspect";

export interface ServedChainCheckInputs extends ExpectationInputs {
  /** Probe the endpoints on every preview and refresh (drift); default true. */
  driftChecks?: boolean;
  /** How long create/update wait for the endpoints to serve the right chain; default 10 000 ms. */
  verifyTimeoutMs?: number;
}

export type ServedChainCheckState = ServedChainCheckInputs & {
  /** What each endpoint serves and what each client makes of it. */
  served: EndpointReport[];
  /** Why the endpoints no longer serve what was verified; empty right after a verification. */
  drift: string[];
};

async function check(news: ServedChainCheckInputs) {
  const problems = new CheckFailures();
  if (!hasUnknowns(news.desiredChain)) problems.attempt("desiredChain", () => parseCertificates(news.desiredChain ?? "", "the desired chain"));
  if (!hasUnknowns(news.profiles) && !hasUnknowns(news.requiredProfiles)) {
    problems.attempt("profiles", () => {
      const names = loadProfiles(news.profiles).map((p) => p.name);
      const unknown = (news.requiredProfiles ?? []).filter((r) => !names.includes(r));
      if (unknown.length) throw new ChainsmithInputError("unknown-required-profile", `Required profile ${unknown.join(", ")} is not among the client profiles (${names.join(", ") || "none"}). Add it to the client profiles or remove it from requiredProfiles.`);
    });
  }
  if (!hasUnknowns(news.endpoints) && (!Array.isArray(news.endpoints) || news.endpoints.length === 0)) problems.add("endpoints", "No endpoint to verify. Give at least one { host, port } that serves this certificate.");
  if (!hasUnknowns(news.endpoints) && Array.isArray(news.endpoints)) news.endpoints.forEach((e, i) => problems.attempt("endpoints", () => checkProtocol(e.protocol, `endpoints[${i}]`)));
  return { failures: problems.failures };
}

async function create(inputs: ServedChainCheckInputs) {
  return { id: inputs.endpoints.map((e) => `${e.host}:${e.port}`).join(","), outs: await verify(inputs) };
}

async function update(_id: string, _olds: ServedChainCheckState, news: ServedChainCheckInputs) {
  return { outs: await verify(news) };
}

async function diff(_id: string, olds: ServedChainCheckState, news: ServedChainCheckInputs): Promise<DiffOutcome> {
  const changes = inputChanges(olds, news);
  // Drift is judged against what was verified (the state): the new inputs may not be known yet.
  const driftChecks = hasUnknowns(news.driftChecks) ? olds.driftChecks : news.driftChecks;
  if (driftChecks !== false) changes.push(...problemsOf(await inspectEndpoints(olds), olds).map(driftChange));
  return { changes };
}

async function read(id: string, props: ServedChainCheckState) {
  if (props.driftChecks === false) return { id, props };
  const served = await inspectEndpoints(props);
  return { id, props: { ...props, served, drift: problemsOf(served, props).map((p) => p.message) } };
}

/** Probes until every endpoint passes on consecutive probes, or fails after verifyTimeoutMs with the cause and the fix. */
async function verify(inputs: ServedChainCheckInputs): Promise<ServedChainCheckState> {
  const profiles = loadProfiles(inputs.profiles);
  const passes = (served: EndpointReport[]) => problemsOf(served, inputs).length === 0;
  const { value: served, steady } = await untilSteady(() => inspectEndpoints(inputs, profiles), passes, { timeoutMs: inputs.verifyTimeoutMs ?? 10_000 });
  if (!steady) {
    const problems = problemsOf(served, inputs);
    if (problems.length === 0) throw new Error(`chainsmith: verification failed: within ${inputs.verifyTimeoutMs ?? 10_000} ms the endpoints never served the right chain on consecutive probes (old server processes still answering?). Fix: make sure every server process behind the endpoints was reloaded, or raise verifyTimeoutMs.`);
    throw new Error(verificationFailure(problems, served));
  }
  return { ...inputs, served, drift: [] };
}

function verificationFailure(problems: EndpointProblem[], served: EndpointReport[]): string {
  const findings = [...new Set(served.flatMap((r) => r.findings))];
  const kinds = new Set(problems.map((p) => p.kind));
  const fixes = [
    ...(kinds.has("unreadable") ? ["check that the server listens on that address and port"] : []),
    ...(kinds.has("differs") ? ["deploy the chosen chain to the server that answers there: check that the target writes the files this server reads, and that its reload command reloads it"] : []),
    ...(kinds.has("untrusted") ? ['choose a chain those clients trust (policy "widest", with the cross-signed certificate in the pool), or remove them from requiredProfiles'] : []),
  ];
  return [
    `chainsmith: verification failed: ${problems.map((p) => p.message).join("; ")}.`,
    ...(findings.length ? [`Findings: ${findings.join(" ")}`] : []),
    `Fix: ${fixes.join("; ")}.`,
  ].join("\n");
}

const PROPERTY_OF_PROBLEM: Record<EndpointProblem["kind"], keyof ServedChainCheckInputs> = { unreadable: "endpoints", differs: "desiredChain", untrusted: "requiredProfiles" };

function driftChange(problem: EndpointProblem): PropertyChange {
  return { property: PROPERTY_OF_PROBLEM[problem.kind], reason: problem.message, drift: true };
}

function inputChanges(olds: ServedChainCheckState, news: ServedChainCheckInputs): PropertyChange[] {
  const changes: PropertyChange[] = [];
  const change = (property: keyof ServedChainCheckInputs, reason: string) => changes.push({ property, reason });
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (hasUnknowns(news.desiredChain)) change("desiredChain", "the desired chain is known after other resources are deployed");
  else {
    const fingerprints = (pem: string) => parseCertificates(pem, "the desired chain").map((c) => c.sha256).join();
    if (fingerprints(olds.desiredChain) !== fingerprints(news.desiredChain)) change("desiredChain", "the desired chain changed");
  }
  if (!same(olds.endpoints, news.endpoints)) change("endpoints", "the endpoints to verify changed");
  if (!same(olds.profiles, news.profiles)) change("profiles", "the client profiles changed");
  if (!same(olds.requiredProfiles, news.requiredProfiles)) change("requiredProfiles", "the required client profiles changed");
  if (!same(olds.failOnDiffers, news.failOnDiffers)) change("failOnDiffers", "what fails the verification changed");
  if (!same(olds.failOnUntrusted, news.failOnUntrusted)) change("failOnUntrusted", "what fails the verification changed");
  if (!same(olds.driftChecks, news.driftChecks)) change("driftChecks", "drift checks are turned " + (news.driftChecks === false ? "off" : "on"));
  return changes;
}

export const servedChainCheck: ResourceKind<ServedChainCheckInputs, ServedChainCheckState> = {
  token: "chainsmith:index:ServedChainCheck",
  secrets: [],
  check,
  diff,
  create,
  read,
  update,
  // Nothing to undo: the check only looks at the endpoints.
  remove: async () => [],
};
