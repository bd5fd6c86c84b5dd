// The chainsmith:linux:TlsFiles resource kind of the provider plugin: TLS files on a Linux
// host over SSH, or on the machine running Pulumi. Secrets (the TLS key, passphrases, the SSH
// key) arrive unwrapped from the wire: they are kept out of outputs or marked secret, and
// scrubbed from every message.
import { randomUUID } from "node:crypto";
import { CheckFailures } from "../check-failures";
import { ChainsmithInputError } from "../../chain/errors";
import { assertKeyMatchesLeaf, keySpkiSha256, parsePrivateKey } from "../../chain/key";
import { assertClientKey } from "../ssh/client-key";
import { parseCertificates } from "../../chain/parse";
import { assertValidAt } from "../../chain/validity";
import { checkProtocol } from "../../probe/endpoint";
import type { PfxProfile } from "../../chain/pfx-write";
import { LocalHost } from "./hosts/local-host";
import { assertHostKeyPolicy, type SshLoginInputs } from "../ssh/host-keys";
import { SshHost } from "./hosts/ssh-host";
import { deploy, restoreOriginals, type Original } from "./deploy";
import { buildDesiredState } from "./desired-state";
import { compareServed } from "../../chain/served-comparison";
import type { ChainEntry } from "../../chain/served-comparison";
import { explainFileDrift, type KnownContent } from "./drift";
import type { Endpoint } from "../../probe/endpoint";
import { readLiveState, type LiveEndpoint } from "./live-state";
import { planFiles, type FilePlan, type PresetOptions } from "./presets";
import { guarded as guardedBy, secretValues } from "../redact";
import { hasUnknowns } from "../plugin/wire";
import type { DiffOutcome, Note, PropertyChange, ResourceKind } from "../plugin/resource-kind";
import type { TargetHost } from "./hosts/target-host";

/** A bastion; it authenticates with the same key or agent as the target. */
export type JumpHostInputs = SshLoginInputs;

/** Host and user are needed for "ssh" only. */
export interface ConnectionInputs extends Partial<SshLoginInputs> {
  /** "ssh" (default), or "local" for the machine that runs Pulumi. */
  kind?: "ssh" | "local";
  /** Run commands through `sudo -n` (login user is not root). */
  sudo?: boolean;
  connectTimeoutMs?: number;
  /** How long one command on the host (a config test, a reload, a file's transfer) may run before it is killed there; default 60 000 ms. */
  commandTimeoutMs?: number;
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
/** Version of the state's shape; read() upgrades older shapes (0: the dynamic-provider state). */
const STATE_VERSION = 1;

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
  /** Who owns the files on the host (recorded beside them): a random id made at create. */
  owner: string;
  stateVersion: number;
};

const SECRET_INPUTS = ["privateKey", "keyPassphrase", "pfxPassword", "sshPrivateKey", "sshPassphrase"] as const;

async function check(news: LinuxFilesInputs) {
  const problems = new CheckFailures(secretValues(news, SECRET_INPUTS));
  if (!hasUnknowns(news.files) && !hasUnknowns(news.directory) && !hasUnknowns(news.preset)) problems.attempt("files", () => planFiles(news));
  // Shown by `pulumi preview`: an expired certificate would otherwise fail only at `up`.
  if (!hasUnknowns(news.chain)) problems.attempt("chain", () => assertValidAt(parseCertificates(news.chain ?? "", "the chain"), new Date()));
  // The key must be the leaf's: known at preview, a key of another certificate fails the preview.
  if (!hasUnknowns([news.chain, news.privateKey, news.keyPassphrase])) {
    problems.attempt("privateKey", () => {
      const [leaf] = parseCertificates(news.chain ?? "", "the chain");
      if (leaf && news.privateKey) assertKeyMatchesLeaf(parsePrivateKey(news.privateKey, "the private key", news.keyPassphrase), leaf);
    });
  }
  if (!hasUnknowns(news.connection)) problems.attempt("connection", () => assertConnection(news.connection));
  if (news.sshPrivateKey && !hasUnknowns([news.sshPrivateKey, news.sshPassphrase])) problems.attempt("sshPrivateKey", () => assertClientKey(news.sshPrivateKey!, news.sshPassphrase));
  if (!hasUnknowns(news.endpoints)) (news.endpoints ?? []).forEach((e, i) => problems.attempt("endpoints", () => checkProtocol(e.protocol, `endpoints[${i}]`)));
  if (news.onDelete !== undefined && news.onDelete !== "restore" && news.onDelete !== "keep") {
    problems.add("onDelete", `onDelete "${String(news.onDelete)}" is not "restore" or "keep".`);
  }
  return { failures: problems.failures };
}

// Each method collects the warnings of its connections (an unverified host key) as notes: Pulumi shows them under the resource.
async function create(inputs: LinuxFilesInputs) {
  const owner = randomUUID();
  const notes: Note[] = [];
  const outs = await guarded(inputs, () => deployTo(inputs, {}, owner, notes));
  return { id: `${outs.target}:${owner}`, outs, notes };
}

async function update(_id: string, olds: LinuxFilesState, news: LinuxFilesInputs) {
  const state = upgrade(olds);
  const notes: Note[] = [];
  return { outs: await guarded(news, () => deployTo(news, state.originals ?? {}, state.owner, notes)), notes };
}

async function read(id: string, props: LinuxFilesState) {
  const state = upgrade(props);
  const notes: Note[] = [];
  return guarded(state, async () => ({ id, props: { ...state, drift: (await driftOf(state, notes)).map((c) => c.reason) }, notes }));
}

async function diff(_id: string, olds: LinuxFilesState, news: LinuxFilesInputs): Promise<DiffOutcome> {
  const state = upgrade(olds);
  const notes: Note[] = [];
  return guarded(news, async () => {
    const changes = [...inputChanges(state, news), ...(await driftOf(state, notes))];
    // Another machine is another deployment; a new login user or preset on the same machine is an update.
    const moved = !hasUnknowns(news.connection) && machineOf(news.connection) !== machineOf(state.connection);
    return { changes, replaces: moved ? ["connection"] : [], notes };
  });
}

async function remove(_id: string, props: LinuxFilesState): Promise<Note[]> {
  const state = upgrade(props);
  if ((state.onDelete ?? "restore") === "keep") return [];
  const notes: Note[] = [];
  return guarded(state, () =>
    withHost(
      state,
      async (host) => {
        const done = await restoreOriginals(host, state.originals ?? {}, { configTest: state.configTest ?? undefined, reload: state.reload ?? undefined }, state.owner);
        return [...notes, ...done.map((message) => ({ severity: "info" as const, message: `${host.name}: ${message}` }))];
      },
      notes,
    ),
  );
}

/** Older states stay readable: a state without owner (version 0) owns whatever has no owner marker. */
function upgrade(state: LinuxFilesState): LinuxFilesState {
  return { ...state, owner: state.owner ?? "", stateVersion: STATE_VERSION };
}

async function deployTo(inputs: LinuxFilesInputs, originals: Record<string, Original>, owner: string, notes: Note[]): Promise<LinuxFilesState> {
  const plan = planFiles(inputs);
  // Checked before connecting: a wrong key or chain never reaches the host.
  const desired = buildDesiredState(
    { chainPem: inputs.chain, privateKeyPem: inputs.privateKey, keyPassphrase: inputs.keyPassphrase, pfxPassword: inputs.pfxPassword, pfxProfile: inputs.pfxProfile },
    plan,
  );
  const result = await withHost(inputs, (host) => deploy(host, desired, plan, { endpoints: inputs.endpoints ?? [], verifyTimeoutMs: inputs.verifyTimeoutMs, originals, owner }), notes);
  const { privateKey: _key, keyPassphrase: _passphrase, pfxPassword: _password, ...publicInputs } = inputs;
  return {
    ...publicInputs,
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
    owner,
    stateVersion: STATE_VERSION,
  };
}

// The input a drifted file belongs to: the key file to privateKey, every other file to chain.
const PROPERTY_OF_ROLE: Record<string, keyof LinuxFilesInputs> = { privkey: "privateKey" };

/**
 * How the host differs from the deployment, each difference under the input it concerns:
 * what an update of this resource repairs. A changed file says why the server serves the
 * wrong chain; with every file as deployed, an endpoint that serves another chain means the
 * server was not reloaded. What is served, and endpoints that cannot be read, are the
 * served-chain check's to say (chainsmith:index:ServedChainCheck): each fact once.
 */
async function driftOf(state: LinuxFilesState, notes: Note[]): Promise<PropertyChange[]> {
  try {
    const live = await withHost(state, (host) => readLiveState(host, state.deployedFiles.map((f) => f.path), state.endpoints ?? []), notes);
    const fileDrift = state.deployedFiles.flatMap((file) => {
      const reason = explainFileDrift(file, live.files, state.knownContents);
      return reason ? [{ property: PROPERTY_OF_ROLE[file.role] ?? "chain", reason, drift: true }] : [];
    });
    if (fileDrift.length > 0) return fileDrift;
    return live.endpoints
      .filter((e) => e.served && compareServed(state.servedChain, e.served).code !== "same")
      .map((e) => ({ property: "chain", reason: `${e.endpoint} does not serve the chain its files hold: the server was not reloaded, or it reads other files (up writes the files and reloads again)`, drift: true }));
  } catch (error) {
    return [{ property: "connection", reason: `cannot read the host: ${(error as Error).message}`, drift: true }];
  }
}

/** Differences between the recorded deployment and the new inputs, in words (none while inputs are unknown). */
function inputChanges(olds: LinuxFilesState, news: LinuxFilesInputs): PropertyChange[] {
  const changes: PropertyChange[] = [];
  const change = (property: keyof LinuxFilesInputs, reason: string) => changes.push({ property, reason });
  const known = <K extends keyof LinuxFilesInputs>(...keys: K[]) => keys.every((k) => !hasUnknowns(news[k]));
  if (known("chain")) {
    const chain = parseCertificates(news.chain, "the chain").map((c) => c.sha256);
    if (chain.join() !== olds.servedChain.map((c) => c.sha256).join()) change("chain", "the chain to serve changed");
  } else change("chain", "the chain to serve is known after other resources are deployed");
  if (known("privateKey", "keyPassphrase")) {
    if (keySpkiSha256(parsePrivateKey(news.privateKey, "the private key", news.keyPassphrase)) !== olds.keySpkiSha256) change("privateKey", "the private key changed");
  } else change("privateKey", "the private key is known after other resources are deployed");
  if (known("preset", "directory", "files", "reloadCommand", "configTestCommand")) {
    const plan = planFiles(news);
    const files = (p: { path: string; mode: number }[]) => p.map((f) => `${f.path}:${f.mode}`).join();
    if (files(plan.files) !== files(olds.deployedFiles)) change(news.files ? "files" : "directory", "the files to write (paths or modes) changed");
    if ((plan.configTest ?? null) !== olds.configTest) change("configTestCommand", "the config test command changed");
    if ((plan.reload ?? null) !== olds.reload) change("reloadCommand", "the reload command changed");
  } else change("files", "the files to write are known after other resources are deployed");
  if (JSON.stringify(news.endpoints ?? []) !== JSON.stringify(olds.endpoints ?? [])) change("endpoints", "the endpoints to verify changed");
  if (!known("connection")) change("connection", "the host is known after other resources are deployed");
  else if (targetName(news.connection) !== olds.target) change("connection", `the target moves to ${targetName(news.connection)}`);
  if ((news.onDelete ?? "restore") !== (olds.onDelete ?? "restore")) change("onDelete", `onDelete becomes "${news.onDelete ?? "restore"}"`);
  return changes;
}

/** Runs `work` on the host; warnings of the connection (an unverified host key) go to `notes`. */
async function withHost<T>(inputs: Pick<LinuxFilesInputs, "connection" | "sshPrivateKey" | "sshPassphrase">, work: (host: TargetHost) => Promise<T>, notes: Note[]): Promise<T> {
  const host = await connect(inputs, (message) => notes.push({ severity: "warning", message }));
  try {
    return await work(host);
  } finally {
    host.close();
  }
}

function connect(inputs: Pick<LinuxFilesInputs, "connection" | "sshPrivateKey" | "sshPassphrase">, warn: (message: string) => void): Promise<TargetHost> {
  const c = inputs.connection;
  if (c.kind === "local") return Promise.resolve(new LocalHost({ commandTimeoutMs: c.commandTimeoutMs }));
  assertConnection(c);
  const auth = { privateKey: inputs.sshPrivateKey, passphrase: inputs.sshPassphrase, agent: c.agent, connectTimeoutMs: c.connectTimeoutMs };
  return SshHost.connect({
    ...c,
    host: c.host!,
    user: c.user!,
    ...auth,
    jumpHost: c.jumpHost ? { ...c.jumpHost, ...auth } : undefined,
  }, warn);
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

function machineOf(c: ConnectionInputs): string {
  return c.kind === "local" ? "local" : `${c.host}:${c.port ?? 22}`;
}

// Every error leaving the provider is scrubbed of the secrets it was given.
function guarded<T>(inputs: Partial<LinuxFilesInputs>, work: () => Promise<T>): Promise<T> {
  return guardedBy(secretValues(inputs, SECRET_INPUTS), work);
}

/** The SSH login key and its passphrase stay in the state as secrets: read and delete log in with them. */
export const linuxTlsFiles: ResourceKind<LinuxFilesInputs, LinuxFilesState> = {
  token: "chainsmith:linux:TlsFiles",
  secrets: SECRET_INPUTS,
  check,
  diff,
  create,
  read,
  update,
  remove,
};
