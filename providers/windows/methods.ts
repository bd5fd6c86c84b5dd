// The chainsmith:windows:IisCertificate resource kind of the provider plugin: one certificate
// on a Windows IIS host over SSH. Secrets arrive unwrapped from the wire: the TLS key is kept
// out of outputs, the SSH secrets stay secret in the state, all are scrubbed from messages.
import { assertClientKey } from "../ssh/client-key";
import { assertValidAt } from "../../chain/validity";
import { CheckFailures } from "../check-failures";
import * as fs from "node:fs";
import { Certificate } from "../../chain/certificate";
import { ChainsmithInputError } from "../../chain/errors";
import { assertKeyMatchesLeaf, keySpkiSha256, parsePrivateKey } from "../../chain/key";
import { parseCertificates } from "../../chain/parse";
import type { PfxProfile } from "../../chain/pfx-write";
import { guarded as guardedBy, secretValues } from "../redact";
import { assertHostKeyPolicy, type SshLoginInputs } from "../ssh/host-keys";
import { resultOf } from "./agent-invocation";
import { ChainReport, LeafStore } from "./contract";
import { explainWindowsDrift } from "./drift";
import { normalizeBinding, type BindingSpec } from "./binding-spec";
import { SshAgentTransport } from "./ssh-transport";
import { LadderRung } from "./verification-ladder";
import { WindowsTargetSpec, deployWindowsTarget, previewFrom, readInventory } from "./windows-target";
import type { DiffOutcome, Note, PropertyChange, ResourceKind } from "../plugin/resource-kind";
import { hasUnknowns } from "../plugin/wire";

export interface WindowsConnectionInputs extends SshLoginInputs {
  connectTimeoutMs?: number;
  /** Limit for one agent run (default 600 000 ms: iisreset can take minutes). */
  commandTimeoutMs?: number;
  agent?: string;
}

export interface IisTargetInputs {
  connection: WindowsConnectionInputs;
  /** SSH login key (secret). */
  sshPrivateKey?: string;
  sshPassphrase?: string;
  /** PEM chain to serve, leaf first, no root. */
  chain: string;
  /** The leaf's private key (secret). */
  privateKey: string;
  keyPassphrase?: string;
  binding: BindingSpec;
  leafStore?: LeafStore;
  exportableKey?: boolean;
  disableRootAutoUpdate?: boolean;
  /** Remove the previously bound leaf once no IIS binding, http.sys entry or RDP uses it (default false). */
  removeOldLeaf?: boolean;
  /** Let the ladder run iisreset (restarts every IIS site; default false). */
  allowIisreset?: boolean;
  /** Let the ladder restart the HTTP service (restarts IIS, WinRM and every other http.sys user; default false). */
  allowHttpServiceRestart?: boolean;
  /** PEM of other certificates known to exist (the pool with its self-signed roots): twins to distrust even when absent. */
  knownCertificates?: string;
  /** A PEM file of Microsoft's root program list (roots automatic update can bring back). */
  programRootsFile?: string;
  /** Where clients connect, to verify the served chain from the wire. */
  endpoint: { host: string; port: number; servername?: string };
  pfxProfile?: PfxProfile;
  /** Chain-building time, ISO 8601 (default now; for tests and reproducible previews). */
  at?: string;
}

export type IisTargetState = Omit<IisTargetInputs, "privateKey" | "keyPassphrase"> & {
  target: string;
  computerName: string;
  servedChain: { sha256: string; label: string }[];
  keySpkiSha256: string;
  /** "IIS serves now: ...; after apply: ..." as seen at the last deployment. */
  preview: string;
  done: string[];
  rungs: LadderRung[];
  /** Why the host differs from the deployment (filled by read; empty right after a deployment). */
  drift: string[];
};

const SECRET_INPUTS = ["privateKey", "keyPassphrase", "sshPrivateKey", "sshPassphrase"] as const;

async function check(news: IisTargetInputs) {
  const problems = new CheckFailures(secretValues(news, SECRET_INPUTS));
  if (!hasUnknowns([news.chain, news.privateKey, news.keyPassphrase, news.at])) problems.attempt("chain", () => specOf(news));
  if (!hasUnknowns(news.connection)) problems.attempt("connection", () => assertConnection(news.connection));
  if (news.sshPrivateKey && !hasUnknowns([news.sshPrivateKey, news.sshPassphrase])) problems.attempt("sshPrivateKey", () => assertClientKey(news.sshPrivateKey!, news.sshPassphrase));
  if (!hasUnknowns(news.binding)) problems.attempt("binding", () => normalizeBinding(news.binding ?? { site: "", port: 0 }));
  if (!hasUnknowns(news.endpoint) && (!news.endpoint?.host || !news.endpoint?.port)) problems.add("endpoint", "endpoint needs host and port: where clients connect, to verify the served chain.");
  return { failures: problems.failures };
}

async function create(inputs: IisTargetInputs) {
  const outs = await guarded(inputs, () => deploy(inputs));
  return { id: `${outs.target}:${bindingId(inputs.binding)}`, outs };
}

async function update(_id: string, _olds: IisTargetState, news: IisTargetInputs) {
  return { outs: await guarded(news, () => deploy(news)) };
}

async function read(id: string, props: IisTargetState) {
  return guarded(props, async () => ({ id, props: { ...props, drift: (await driftOf(props)).changes.map((c) => c.reason) } }));
}

async function diff(_id: string, olds: IisTargetState, news: IisTargetInputs): Promise<DiffOutcome> {
  return guarded(news, async () => {
    const live = await driftOf(olds);
    const changes = [...inputChanges(olds, news), ...live.changes];
    // What IIS serves now and after the apply: worth reading beside the drift it explains.
    if (live.changes.length > 0 && live.preview) changes.push({ property: "chain", reason: live.preview, drift: true });
    const moved = !hasUnknowns(news.connection) && machineOf(news.connection) !== machineOf(olds.connection);
    return { changes, replaces: moved ? ["connection"] : [] };
  });
}

/** Leaves the host as deployed: taking the certificate or the distrust away would break clients. */
async function remove(_id: string, props: IisTargetState): Promise<Note[]> {
  return [{ severity: "info", message: `${props.target}: left as deployed (the binding, the certificates and the Disallowed entries stay).` }];
}

async function deploy(inputs: IisTargetInputs): Promise<IisTargetState> {
  const spec = specOf(inputs);
  const report = await withTransport(inputs, (transport) => deployWindowsTarget(transport, spec));
  const publicInputs = { ...inputs } as Partial<IisTargetInputs>;
  delete publicInputs.privateKey;
  delete publicInputs.keyPassphrase;
  return {
    ...(publicInputs as Omit<IisTargetInputs, "privateKey" | "keyPassphrase">),
    target: targetName(inputs.connection),
    computerName: report.computerName,
    servedChain: spec.desiredChain.map((c) => ({ sha256: c.sha256, label: c.label })),
    keySpkiSha256: keySpkiSha256(spec.key),
    preview: report.text,
    done: report.done,
    rungs: report.rungs,
    drift: [],
  };
}

/** Drift in words (the stores and the chain Windows builds: under chain), and the "IIS serves now: ...; after apply: ..." line. */
async function driftOf(state: IisTargetState): Promise<{ changes: PropertyChange[]; preview?: string }> {
  try {
    const desired = parseCertificates(state.chain, "the chain");
    return await withTransport(state, async (transport) => {
      const spec = { ...publicSpecOf(state), desiredChain: desired };
      const inventory = await readInventory(transport, spec);
      const preview = previewFrom(spec, inventory);
      const windows = resultOf<ChainReport>(await transport.run({ verb: "chain", thumbprint: desired[0].sha1 }), transport.where, []);
      const reasons = explainWindowsDrift(desired, inventory, preview.steps, windows);
      return { changes: reasons.map((reason) => ({ property: "chain", reason, drift: true })), preview: preview.text };
    });
  } catch (error) {
    return { changes: [{ property: "connection", reason: `cannot read the host: ${(error as Error).message}`, drift: true }] };
  }
}

/** Differences between the recorded deployment and the new inputs (none claimed while inputs are unknown). */
function inputChanges(olds: IisTargetState, news: IisTargetInputs): PropertyChange[] {
  const changes: PropertyChange[] = [];
  const change = (property: keyof IisTargetInputs, reason: string) => changes.push({ property, reason });
  const later = "is known after other resources are deployed";
  if (hasUnknowns(news.chain)) change("chain", `the chain to serve ${later}`);
  else if (parseCertificates(news.chain, "the chain").map((c) => c.sha256).join() !== olds.servedChain.map((c) => c.sha256).join()) change("chain", "the chain to serve changed");
  if (hasUnknowns([news.privateKey, news.keyPassphrase])) change("privateKey", `the private key ${later}`);
  else if (keySpkiSha256(parsePrivateKey(news.privateKey, "the private key", news.keyPassphrase)) !== olds.keySpkiSha256) change("privateKey", "the private key changed");
  if (hasUnknowns(news.binding)) change("binding", `the binding ${later}`);
  else if (bindingId(news.binding) !== bindingId(olds.binding)) change("binding", `the binding moves to ${bindingId(news.binding)}`);
  if (JSON.stringify(news.endpoint) !== JSON.stringify(olds.endpoint)) change("endpoint", hasUnknowns(news.endpoint) ? `the endpoint ${later}` : "the endpoint to verify changed");
  if (hasUnknowns(news.connection)) change("connection", `the host ${later}`);
  else if (targetName(news.connection) !== olds.target) change("connection", `the target moves to ${targetName(news.connection)}`);
  return changes;
}

function specOf(inputs: IisTargetInputs): WindowsTargetSpec {
  const desiredChain = parseCertificates(inputs.chain ?? "", "the chain");
  // Refused by check, so `pulumi preview` shows it before IIS is touched; judged at the
  // chain-building time.
  assertValidAt(desiredChain, inputs.at ? new Date(inputs.at) : new Date());
  const key = parsePrivateKey(inputs.privateKey ?? "", "the private key", inputs.keyPassphrase);
  assertKeyMatchesLeaf(key, desiredChain[0]);
  return { ...publicSpecOf(inputs), desiredChain, key };
}

/** Everything but the chain and the key: what read and diff need. */
function publicSpecOf(inputs: Omit<IisTargetInputs, "privateKey">): Omit<WindowsTargetSpec, "desiredChain" | "key"> {
  return {
    binding: inputs.binding,
    leafStore: inputs.leafStore,
    exportableKey: inputs.exportableKey,
    disableRootAutoUpdate: inputs.disableRootAutoUpdate,
    removeOldLeaf: inputs.removeOldLeaf,
    allowIisreset: inputs.allowIisreset,
    allowHttpServiceRestart: inputs.allowHttpServiceRestart,
    knownCertificates: inputs.knownCertificates ? parseCertificates(inputs.knownCertificates, "knownCertificates") : [],
    programRoots: programRoots(inputs.programRootsFile),
    endpoint: inputs.endpoint,
    at: inputs.at ? new Date(inputs.at) : undefined,
    pfxProfile: inputs.pfxProfile,
  };
}

function programRoots(file: string | undefined): Certificate[] {
  if (!file) return [];
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch (e) {
    throw new ChainsmithInputError("program-roots-unreadable", `programRootsFile: cannot read ${file} (${(e as NodeJS.ErrnoException).code}). Give a PEM file of Microsoft's root program list, or leave it out.`);
  }
  return parseCertificates(content, file);
}

async function withTransport<T>(inputs: Pick<IisTargetInputs, "connection" | "sshPrivateKey" | "sshPassphrase">, work: (t: SshAgentTransport) => Promise<T>): Promise<T> {
  assertConnection(inputs.connection);
  const transport = await SshAgentTransport.connect({ ...inputs.connection, privateKey: inputs.sshPrivateKey, passphrase: inputs.sshPassphrase });
  try {
    return await work(transport);
  } finally {
    await transport.close();
  }
}

function assertConnection(c: WindowsConnectionInputs | undefined): void {
  if (!c?.host || !c.user) throw new ChainsmithInputError("missing-connection", "The connection needs host and user (and hostKeyFingerprints or knownHosts) of the Windows host's OpenSSH server.");
  assertHostKeyPolicy(c, targetName(c));
}

function targetName(c: WindowsConnectionInputs): string {
  return `${c.user}@${c.host}:${c.port ?? 22}`;
}

function machineOf(c: WindowsConnectionInputs): string {
  return `${c.host}:${c.port ?? 22}`;
}

function bindingId(b: BindingSpec): string {
  return `${b.site}/${b.ip ?? "*"}:${b.port}:${b.host ?? ""}`;
}

// Every error leaving the provider is scrubbed of the secrets it was given.
function guarded<T>(inputs: Partial<IisTargetInputs>, work: () => Promise<T>): Promise<T> {
  return guardedBy(secretValues(inputs, SECRET_INPUTS), work);
}

/** The SSH login key and its passphrase stay in the state as secrets: read logs in with them. */
export const iisCertificate: ResourceKind<IisTargetInputs, IisTargetState> = {
  token: "chainsmith:windows:IisCertificate",
  secrets: SECRET_INPUTS,
  check,
  diff,
  create,
  read,
  update,
  remove,
};
