// The IIS target provider's check/diff/create/read/update/delete. Loaded at run time by
// providers/windows/iis-provider.ts (dynamic-provider methods are serialized; this module
// is required by path, never captured). Inputs arrive as plain text: the TLS key and SSH
// secrets are kept out of outputs and scrubbed from every message.
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
import { BindingSpec } from "./planner";
import { SshAgentTransport } from "./ssh-transport";
import { LadderRung } from "./verification-ladder";
import { WindowsTargetSpec, deployWindowsTarget, previewFrom, readInventory } from "./windows-target";

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

export async function check(_olds: unknown, news: IisTargetInputs) {
  const problems = new CheckFailures(secretValues(news, SECRET_INPUTS));
  problems.attempt("chain", () => specOf(news));
  problems.attempt("connection", () => assertConnection(news.connection));
  if (!news.binding?.site) problems.add("binding", 'binding.site is empty: name the IIS site, e.g. "Default Web Site".');
  if (!news.endpoint?.host || !news.endpoint?.port) problems.add("endpoint", "endpoint needs host and port: where clients connect, to verify the served chain.");
  return { inputs: news, failures: problems.failures };
}

export async function create(inputs: IisTargetInputs) {
  const outs = await guarded(inputs, () => deploy(inputs));
  return { id: `${outs.target}:${bindingId(inputs.binding)}`, outs };
}

export async function update(_id: string, _olds: IisTargetState, news: IisTargetInputs) {
  return { outs: await guarded(news, () => deploy(news)) };
}

export async function read(id: string, props: IisTargetState) {
  return guarded(props, async () => ({ id, props: { ...props, drift: (await driftOf(props)).reasons } }));
}

export async function diff(_id: string, olds: IisTargetState, news: IisTargetInputs) {
  return guarded(news, async () => {
    const live = await driftOf(olds);
    const reasons = [...inputChanges(olds, news), ...live.reasons];
    for (const reason of reasons) console.error(`chainsmith: ${olds.target}: ${reason}`);
    if (reasons.length > 0 && live.preview) console.error(`chainsmith: ${olds.target}: ${live.preview}`);
    const moved = targetName(news.connection) !== olds.target;
    return { changes: reasons.length > 0, replaces: moved ? ["connection"] : [], deleteBeforeReplace: false };
  });
}

/** Leaves the host as deployed: taking the certificate or the distrust away would break clients. */
export async function remove(_id: string, props: IisTargetState) {
  console.error(`chainsmith: ${props.target}: left as deployed (the binding, the certificates and the Disallowed entries stay).`);
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

/** Drift in words, and the "IIS serves now: ...; after apply: ..." line for the preview. */
async function driftOf(state: IisTargetState): Promise<{ reasons: string[]; preview?: string }> {
  try {
    const desired = parseCertificates(state.chain, "the chain");
    return await withTransport(state, async (transport) => {
      const inventory = await readInventory(transport);
      const preview = previewFrom({ ...publicSpecOf(state), desiredChain: desired }, inventory);
      const windows = resultOf<ChainReport>(await transport.run({ verb: "chain", thumbprint: desired[0].sha1 }), transport.where, []);
      return { reasons: explainWindowsDrift(desired, inventory, preview.steps, windows), preview: preview.text };
    });
  } catch (error) {
    return { reasons: [`cannot read the host: ${(error as Error).message}`] };
  }
}

function inputChanges(olds: IisTargetState, news: IisTargetInputs): string[] {
  const changes: string[] = [];
  const chain = parseCertificates(news.chain, "the chain").map((c) => c.sha256);
  if (chain.join() !== olds.servedChain.map((c) => c.sha256).join()) changes.push("the chain to serve changed");
  if (keySpkiSha256(parsePrivateKey(news.privateKey, "the private key", news.keyPassphrase)) !== olds.keySpkiSha256) changes.push("the private key changed");
  if (bindingId(news.binding) !== bindingId(olds.binding)) changes.push(`the binding moves to ${bindingId(news.binding)}`);
  if (JSON.stringify(news.endpoint) !== JSON.stringify(olds.endpoint)) changes.push("the endpoint to verify changed");
  if (targetName(news.connection) !== olds.target) changes.push(`the target moves to ${targetName(news.connection)}`);
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

function bindingId(b: BindingSpec): string {
  return `${b.site}/${b.ip ?? "*"}:${b.port}:${b.host ?? ""}`;
}



// Every error leaving the provider is scrubbed of the secrets it was given.
function guarded<T>(inputs: Partial<IisTargetInputs>, work: () => Promise<T>): Promise<T> {
  return guardedBy(secretValues(inputs, SECRET_INPUTS), work);
}
