// The served-chain check's check/diff/create/read/update/delete. Loaded at run time by
// providers/served-chain-check.ts (dynamic-provider methods are serialized, so they only
// require this compiled module by package name). It holds no secret: only public
// certificates and endpoints.
import { CheckFailures } from "../check-failures";
import { ChainsmithInputError } from "../../chain/errors";
import { parseCertificates } from "../../chain/parse";
import { inspectEndpoints, loadProfiles, problemsOf, type EndpointReport, type ExpectationInputs } from "./inspect";

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

const POLL_INTERVAL_MS = 200;

export async function check(_olds: unknown, news: ServedChainCheckInputs) {
  const problems = new CheckFailures();
  problems.attempt("desiredChain", () => parseCertificates(news.desiredChain ?? "", "the desired chain"));
  problems.attempt("profiles", () => {
    const names = loadProfiles(news.profiles).map((p) => p.name);
    const unknown = (news.requiredProfiles ?? []).filter((r) => !names.includes(r));
    if (unknown.length) throw new ChainsmithInputError("unknown-required-profile", `Required profile ${unknown.join(", ")} is not among the client profiles (${names.join(", ") || "none"}). Add it to the client profiles or remove it from requiredProfiles.`);
  });
  if (!Array.isArray(news.endpoints) || news.endpoints.length === 0) problems.add("endpoints", "No endpoint to verify. Give at least one { host, port } that serves this certificate.");
  return { inputs: news, failures: problems.failures };
}

export async function create(inputs: ServedChainCheckInputs) {
  return { id: inputs.endpoints.map((e) => `${e.host}:${e.port}`).join(","), outs: await verify(inputs) };
}

export async function update(_id: string, _olds: ServedChainCheckState, news: ServedChainCheckInputs) {
  return { outs: await verify(news) };
}

export async function diff(_id: string, olds: ServedChainCheckState, news: ServedChainCheckInputs) {
  const reasons = inputChanges(olds, news);
  if (news.driftChecks !== false) reasons.push(...problemsOf(await inspectEndpoints(news), news));
  for (const reason of reasons) console.error(`chainsmith: ${reason}`);
  return { changes: reasons.length > 0 };
}

export async function read(id: string, props: ServedChainCheckState) {
  if (props.driftChecks === false) return { id, props };
  const served = await inspectEndpoints(props);
  return { id, props: { ...props, served, drift: problemsOf(served, props) } };
}

/** Nothing to undo: the check only looks at the endpoints. */
export async function remove(): Promise<void> {}

/** Probes until every endpoint passes, or fails after verifyTimeoutMs with the cause and the fix. */
async function verify(inputs: ServedChainCheckInputs): Promise<ServedChainCheckState> {
  const deadline = Date.now() + (inputs.verifyTimeoutMs ?? 10_000);
  const profiles = loadProfiles(inputs.profiles);
  for (;;) {
    const served = await inspectEndpoints(inputs, profiles);
    const problems = problemsOf(served, inputs);
    if (problems.length === 0) return { ...inputs, served, drift: [] };
    if (Date.now() >= deadline) throw new Error(verificationFailure(problems, served));
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function verificationFailure(problems: string[], served: EndpointReport[]): string {
  const findings = [...new Set(served.flatMap((r) => r.findings))];
  const fixes = [
    ...(problems.some((p) => /cannot read/.test(p)) ? ["check that the server listens on that address and port"] : []),
    ...(served.some((r) => r.error === undefined && !r.matchesDesired)
      ? ["deploy the chosen chain to the server that answers there: check that the target writes the files this server reads, and that its reload command reloads it"]
      : []),
    ...(problems.some((p) => /does not trust/.test(p)) ? ['choose a chain those clients trust (policy "widest", with the cross-signed certificate in the pool), or remove them from requiredProfiles'] : []),
  ];
  return [
    `chainsmith: verification failed: ${problems.join("; ")}.`,
    ...(findings.length ? [`Findings: ${findings.join(" ")}`] : []),
    `Fix: ${fixes.join("; ")}.`,
  ].join("\n");
}

function inputChanges(olds: ServedChainCheckState, news: ServedChainCheckInputs): string[] {
  const changes: string[] = [];
  const fingerprints = (pem: string) => parseCertificates(pem, "the desired chain").map((c) => c.sha256).join();
  if (fingerprints(olds.desiredChain) !== fingerprints(news.desiredChain)) changes.push("the desired chain changed");
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (!same(olds.endpoints, news.endpoints)) changes.push("the endpoints to verify changed");
  if (!same(olds.profiles, news.profiles) || !same(olds.requiredProfiles, news.requiredProfiles)) changes.push("the client profiles changed");
  if (!same(olds.failOnDiffers, news.failOnDiffers) || !same(olds.failOnUntrusted, news.failOnUntrusted)) changes.push("what fails the verification changed");
  return changes;
}
