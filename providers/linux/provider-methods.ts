// The Linux files provider's check/diff/create/read/update/delete. Loaded at run time by
// providers/linux-files-provider.ts (dynamic-provider methods are serialized; this module
// is required by path, never captured). Inputs arrive as plain text: secrets are kept out
// of outputs and scrubbed from every message.
import { CheckFailures } from "../check-failures";
import { ChainsmithInputError } from "../../chain/errors";
import { keySpkiSha256, parsePrivateKey } from "../../chain/key";
import { parseCertificates } from "../../chain/parse";
import { assertValidAt } from "../../chain/validity";
import type { PfxProfile } from "../../chain/pfx-write";
import { LocalHost } from "../local/local-host";
import { assertHostKeyPolicy, type SshLoginInputs } from "../ssh/host-keys";
import { SshHost } from "../ssh/ssh-host";
import { deploy, restoreOriginals, type Original } from "./deploy";
import { buildDesiredState } from "./desired-state";
import { explainDrift, type ChainEntry, type KnownContent, type LiveEndpoint } from "./drift";
import { readLiveState, type Endpoint } from "./live-state";
import { planFiles, type FilePlan, type PresetOptions } from "./presets";
import { guarded as guardedBy, secretValues } from "../redact";
import type { TargetHost } from "./target-host";

/** A bastion; it authenticates with the same key or agent as the target. */
export type JumpHostInputs = SshLoginInputs;

/** Host and user are needed for "ssh" only. */
export interface ConnectionInputs extends Partial<SshLoginInputs> {
  /** "ssh" (default), or "local" for the machine that runs Pulumi. */
  kind?: "ssh" | "local";
  /** Run commands through `sudo -n` (login user is not root). */
  sudo?: boolean;
  connectTimeoutMs?: number;
  /** ssh-agent socket, used when no sshPrivateKey is given. */
  agent?: string;
  /** A bastion; it authenticates with the same key or agent. */
  jumpHost?: JumpHostInputs;
}

export interface LinuxFilesInputs extends PresetOptions {
  connection: ConnectionInputs;
  /** SSH login key (secret). */
  sshPrivateKey?: string;
  /** Passphrase of sshPrivateKey (secret). */
  sshPassphrase?: string;
  /** PEM chain to serve, leaf first, anchor left out. */
  chain: string;
  /** The leaf's private key (secret). */
  privateKey: string;
  keyPassphrase?: string;
  pfxPassword?: string;
  pfxProfile?: PfxProfile;
  endpoints?: Endpoint[];
  verifyTimeoutMs?: number;
  /** What delete does: "restore" (default) puts back the files found before the first deployment; "keep" leaves the deployed files. */
  onDelete?: "restore" | "keep";
}

/** Inputs without the TLS key material, plus what the deployment recorded. */
export type LinuxFilesState = Omit<LinuxFilesInputs, "privateKey" | "keyPassphrase" | "pfxPassword"> & {
  target: string;
  /** The files written (the input `files` holds per-role overrides). */
  deployedFiles: { path: string; role: string; sha256: string; mode: number }[];
  servedChain: ChainEntry[];
  keySpkiSha256: string;
  knownContents: KnownContent[];
  originals: Record<string, Original>;
  configTest: string | null;
  reload: string | null;
  served: LiveEndpoint[];
  /** Why the host differs from the deployment (filled by read; empty right after a deployment). */
  drift: string[];
};

const SECRET_INPUTS = ["privateKey", "keyPassphrase", "pfxPassword", "sshPrivateKey", "sshPassphrase"] as const;
// How the engine passes a value not known yet during preview (an output of another resource).
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const hasUnknowns = (value: unknown) => JSON.stringify(value ?? null).includes(UNKNOWN);

export async function check(_olds: unknown, news: LinuxFilesInputs) {
  const problems = new CheckFailures(secretValues(news, SECRET_INPUTS));
  if (!hasUnknowns(news.files) && !hasUnknowns(news.directory)) problems.attempt("files", () => planFiles(news));
  // Shown by `pulumi preview`: an expired certificate would otherwise fail only at `up`.
  if (!hasUnknowns(news.chain)) problems.attempt("chain", () => assertValidAt(parseCertificates(news.chain ?? "", "the chain"), new Date()));
  if (!hasUnknowns(news.connection)) problems.attempt("connection", () => assertConnection(news.connection));
  if (news.onDelete !== undefined && news.onDelete !== "restore" && news.onDelete !== "keep") {
    problems.add("onDelete", `onDelete "${String(news.onDelete)}" is not "restore" or "keep".`);
  }
  return { inputs: news, failures: problems.failures };
}

export async function create(inputs: LinuxFilesInputs) {
  const outs = await guarded(inputs, () => deployTo(inputs, {}));
  return { id: `${outs.target}:${outs.deployedFiles.map((f) => f.path).join(",")}`, outs };
}

export async function update(_id: string, olds: LinuxFilesState, news: LinuxFilesInputs) {
  return { outs: await guarded(news, () => deployTo(news, olds.originals ?? {})) };
}

export async function read(id: string, props: LinuxFilesState) {
  return guarded(props, async () => ({ id, props: { ...props, drift: await driftOf(props) } }));
}

export async function diff(_id: string, olds: LinuxFilesState, news: LinuxFilesInputs) {
  return guarded(news, async () => {
    const changes = hasUnknowns(news) ? ["some inputs are not known until other resources are deployed"] : inputChanges(olds, news);
    const reasons = [...changes, ...(await driftOf(olds))];
    for (const reason of reasons) console.error(`chainsmith: ${olds.target}: ${reason}`);
    const moved = !hasUnknowns(news.connection) && targetName(news.connection) !== olds.target;
    return { changes: reasons.length > 0, replaces: moved ? ["connection"] : [], deleteBeforeReplace: false };
  });
}

export async function remove(_id: string, props: LinuxFilesState) {
  if ((props.onDelete ?? "restore") === "keep") return;
  await guarded(props, () =>
    withHost(props, async (host) => {
      const notes = await restoreOriginals(host, props.originals ?? {}, { configTest: props.configTest ?? undefined, reload: props.reload ?? undefined });
      for (const note of notes) console.error(`chainsmith: ${host.name}: ${note}`);
    }),
  );
}

async function deployTo(inputs: LinuxFilesInputs, originals: Record<string, Original>): Promise<LinuxFilesState> {
  const plan = planFiles(inputs);
  // Checked before connecting: a wrong key or chain never reaches the host.
  const desired = buildDesiredState(
    { chainPem: inputs.chain, privateKeyPem: inputs.privateKey, keyPassphrase: inputs.keyPassphrase, pfxPassword: inputs.pfxPassword, pfxProfile: inputs.pfxProfile },
    plan,
  );
  const result = await withHost(inputs, (host) => deploy(host, desired, plan, { endpoints: inputs.endpoints ?? [], verifyTimeoutMs: inputs.verifyTimeoutMs, originals }));
  const publicInputs = { ...inputs } as Partial<LinuxFilesInputs>;
  delete publicInputs.privateKey;
  delete publicInputs.keyPassphrase;
  delete publicInputs.pfxPassword;
  return {
    ...(publicInputs as Omit<LinuxFilesInputs, "privateKey" | "keyPassphrase" | "pfxPassword">),
    target: targetName(inputs.connection),
    deployedFiles: result.files,
    servedChain: desired.chain,
    keySpkiSha256: keySpkiSha256(parsePrivateKey(inputs.privateKey, "the private key", inputs.keyPassphrase)),
    knownContents: desired.knownContents,
    originals: result.originals,
    configTest: plan.configTest ?? null,
    reload: plan.reload ?? null,
    served: result.served,
    drift: [],
  };
}

async function driftOf(state: LinuxFilesState): Promise<string[]> {
  try {
    const live = await withHost(state, (host) => readLiveState(host, state.deployedFiles.map((f) => f.path), state.endpoints ?? []));
    return explainDrift({ files: state.deployedFiles, chain: state.servedChain, knownContents: state.knownContents }, live);
  } catch (error) {
    return [`cannot read the host: ${(error as Error).message}`];
  }
}

/** Differences between the recorded deployment and the new inputs, in words. */
function inputChanges(olds: LinuxFilesState, news: LinuxFilesInputs): string[] {
  const changes: string[] = [];
  const chain = parseCertificates(news.chain, "the chain").map((c) => c.sha256);
  if (chain.join() !== olds.servedChain.map((c) => c.sha256).join()) changes.push("the chain to serve changed");
  if (keySpkiSha256(parsePrivateKey(news.privateKey, "the private key", news.keyPassphrase)) !== olds.keySpkiSha256) changes.push("the private key changed");
  const plan = planFiles(news);
  const files = (p: { path: string; mode: number }[]) => p.map((f) => `${f.path}:${f.mode}`).join();
  if (files(plan.files) !== files(olds.deployedFiles)) changes.push("the files to write (paths or modes) changed");
  if ((plan.configTest ?? null) !== olds.configTest || (plan.reload ?? null) !== olds.reload) changes.push("the config test or reload command changed");
  if (JSON.stringify(news.endpoints ?? []) !== JSON.stringify(olds.endpoints ?? [])) changes.push("the endpoints to verify changed");
  if (targetName(news.connection) !== olds.target) changes.push(`the target moves to ${targetName(news.connection)}`);
  return changes;
}

async function withHost<T>(inputs: Pick<LinuxFilesInputs, "connection" | "sshPrivateKey" | "sshPassphrase">, work: (host: TargetHost) => Promise<T>): Promise<T> {
  const host = await connect(inputs);
  try {
    return await work(host);
  } finally {
    host.close();
  }
}

function connect(inputs: Pick<LinuxFilesInputs, "connection" | "sshPrivateKey" | "sshPassphrase">): Promise<TargetHost> {
  const c = inputs.connection;
  if (c.kind === "local") return Promise.resolve(new LocalHost());
  assertConnection(c);
  const auth = { privateKey: inputs.sshPrivateKey, passphrase: inputs.sshPassphrase, agent: c.agent, connectTimeoutMs: c.connectTimeoutMs };
  return SshHost.connect({
    ...c,
    host: c.host!,
    user: c.user!,
    ...auth,
    jumpHost: c.jumpHost ? { ...c.jumpHost, ...auth } : undefined,
  });
}

function assertConnection(c: ConnectionInputs | undefined): void {
  if (!c) throw new ChainsmithInputError("missing-connection", 'No connection given. Give connection: { host, user, hostKeyFingerprints } or { kind: "local" }.');
  if (c.kind === "local") return;
  if (!c.host || !c.user) throw new ChainsmithInputError("missing-connection", "The connection needs host and user (and hostKeyFingerprints or knownHosts).");
  assertHostKeyPolicy(c, targetName(c));
  if (c.jumpHost) assertHostKeyPolicy(c.jumpHost, `${c.jumpHost.user}@${c.jumpHost.host}:${c.jumpHost.port ?? 22}`);
}

function targetName(c: ConnectionInputs): string {
  return c.kind === "local" ? "local" : `${c.user}@${c.host}:${c.port ?? 22}`;
}



// Every error leaving the provider is scrubbed of the secrets it was given.
function guarded<T>(inputs: Partial<LinuxFilesInputs>, work: () => Promise<T>): Promise<T> {
  return guardedBy(secretValues(inputs, SECRET_INPUTS), work);
}
