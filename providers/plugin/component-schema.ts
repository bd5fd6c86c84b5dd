// The schema of the CertificateDeployment component as the provider offers it (Construct), so
// that a program in any language can create one. The TypeScript unions of its Args become
// named types and enums here: a client profile is an object with `spec` or `name` and
// `roots`, a target is one flat type with a `kind` enum (each property says which kinds take
// it), onDelete, rollout and the target kind are enums, failOn a named object. The values are
// turned back into the TypeScript Args in one place: deployment-args.ts.
import { type Property, arrayOf, boolean, CHAIN_ENTRY, CLIENT_PROFILE, ENDPOINT, ENDPOINT_REPORT, enumOf, integer, login, objectType, ref, secret, string, strings } from "./schema-builders";

export const TARGET_KINDS = ["local", "linux", "iis", "azureVm", "appService"] as const;
export const ROLLOUTS = ["parallel", "sequential", "canary", "waves"] as const;

const TARGET = "chainsmith:index:Target";
const CHAIN_CERTIFICATE = "chainsmith:index:ChainCertificate";
const TARGET_STATUS = "chainsmith:index:TargetStatus";
const COMPATIBILITY = "chainsmith:index:CompatibilityEntry";
const SERVED_CERTIFICATE = "chainsmith:index:ServedCertificate";
const PROFILE_RESULT = "chainsmith:index:ProfileResult";

export type TargetKind = (typeof TARGET_KINDS)[number];

/** A property of some kinds of target only: its description names them, and deployment-args.ts refuses it on others. */
const forKinds = (kinds: TargetKind[], property: Property) => ({ kinds, property: { ...property, description: `${kinds.join(", ")}: ${String(property.description)}` } });

const verdict = {
  trusted: boolean("Whether the profile's clients accept the served chain."),
  reason: string("Why, in words."),
  decidedBy: string('The client behaviour that decided the verdict, when one did ("anchor-expiry-ignored", "first-path", ...).'),
};

/** The properties of a target that only some kinds take. */
const TARGET_FIELDS = {
  directory: forKinds(["local", "linux"], string("Directory of the server's files (local: fullchain.pem and privkey.pem; linux: the preset's files, keeping their names).")),
  reloadCommand: forKinds(["local", "linux"], string('Command that makes the server read the files again; "" skips the reload (local: none by default).')),
  configTestCommand: forKinds(["local", "linux"], string('Command that tests the server\'s configuration before the reload; "" skips it.')),
  onDelete: forKinds(["local", "linux"], ref("chainsmith:index:OnDelete", "What `pulumi destroy` does: restore (default) puts back the files found before the first deployment and reloads; keep leaves the deployed files.")),
  connection: forKinds(["linux", "iis"], ref("chainsmith:index:TargetConnection", "How to reach the host.")),
  sshPrivateKey: forKinds(["linux", "iis"], secret("The SSH login key; without it, connection.agent is used.")),
  sshPassphrase: forKinds(["linux", "iis"], secret("Passphrase of sshPrivateKey.")),
  preset: forKinds(["linux"], ref("chainsmith:index:Preset", "Which server reads the files: its file paths, config test and reload; default nginx.")),
  files: forKinds(["linux"], { type: "object", additionalProperties: ref("chainsmith:index:FileOptions", "Per-role file."), description: "Per-role overrides of path, mode, owner and group (fullchain, privkey, ...); for preset custom, the files to write." }),
  endpoint: forKinds(["iis"], ref(ENDPOINT, "Where clients connect to this IIS site; verified after the deployment.")),
  programRootsFile: forKinds(["iis"], string("A PEM file of Microsoft's root program list (roots automatic update brings back), for the prediction.")),
  allowIisreset: forKinds(["iis"], boolean("Let the verification ladder run iisreset (restarts every IIS site); default false.")),
  allowHttpServiceRestart: forKinds(["iis"], boolean("Let the verification ladder restart the HTTP service (restarts IIS, WinRM and every other http.sys user); default false.")),
  binding: forKinds(["iis", "azureVm"], ref("chainsmith:index:IisBinding", "The IIS HTTPS binding.")),
  leafStore: forKinds(["iis", "azureVm"], ref("chainsmith:index:LeafStore", "Where the leaf and its key go; default My.")),
  exportableKey: forKinds(["iis", "azureVm"], boolean("Mark the imported key exportable; default false.")),
  disableRootAutoUpdate: forKinds(["iis", "azureVm"], boolean("Set DisableRootAutoUpdate=1 (the host then stops receiving new roots); default false.")),
  removeOldLeaf: forKinds(["iis", "azureVm"], boolean("Remove the previously bound leaf once no IIS binding, http.sys entry or RDP uses it; default false.")),
  resourceGroupName: forKinds(["azureVm", "appService"], string("The Azure resource group.")),
  location: forKinds(["azureVm", "appService"], string("The Azure region.")),
  vmName: forKinds(["azureVm"], string("The virtual machine.")),
  runToken: forKinds(["azureVm"], string("Change it (e.g. to a date) to read the VM again: drift shows when it changes.")),
  webAppName: forKinds(["appService"], string("The web app (site) name.")),
  serverFarmId: forKinds(["appService"], string("The App Service plan the certificate belongs to.")),
  hostName: forKinds(["appService"], string("The custom host name to bind (App Service sends only the leaf and its issuer).")),
};

/** Which kinds of target take each kind-specific property. */
export const TARGET_FIELD_KINDS: Record<string, readonly TargetKind[]> = Object.fromEntries(Object.entries(TARGET_FIELDS).map(([field, { kinds }]) => [field, kinds]));
/** The properties of a target's connection that only linux targets take. */
export const LINUX_ONLY_CONNECTION = ["sudo", "jumpHost"];

export const componentTypes = {
  "chainsmith:index:TargetKind": enumOf(
    "Where the chain goes: local (files on the machine running Pulumi), linux (files over SSH), iis (Windows IIS over SSH), azureVm (Windows IIS through Azure VM Run Command), appService (an Azure App Service certificate and SNI binding).",
    TARGET_KINDS,
  ),
  "chainsmith:index:Rollout": enumOf("The order targets are deployed in: all at once (parallel), one after the other, each verified (sequential), the first one verified before the rest (canary), or the first one and then waves of waveSize targets, each verified before the next (waves).", ROLLOUTS),
  "chainsmith:index:FailOn": objectType("What fails the deployment (and counts as drift). Both default to true.", {
    servedChainDiffers: boolean("An endpoint serves another chain than the chosen one."),
    requiredProfileUntrusted: boolean("A required client profile does not trust what an endpoint serves."),
  }),
  "chainsmith:index:TargetConnection": objectType(
    "How to reach a linux or iis target over SSH (host key verified).",
    {
      ...login,
      sudo: boolean("linux: run commands through `sudo -n` (the login user is not root)."),
      connectTimeoutMs: integer("How long to wait for the SSH server, retries included."),
      commandTimeoutMs: integer("How long one command on the host may run before it is killed there; default 60000 (linux), 600000 (iis)."),
      agent: string("ssh-agent socket, used when no sshPrivateKey is given."),
      jumpHost: ref("chainsmith:index:JumpHost", "linux: a bastion to go through."),
    },
    ["host", "user"],
  ),
  [TARGET]: objectType(
    "One place the chain goes. `kind` says which; each property names the kinds that take it, and a property of another kind is refused.",
    {
      kind: ref("chainsmith:index:TargetKind", "Which kind of target."),
      name: string("Short name, unique in the deployment: names the child resource and the target in every output."),
      previousNames: strings("Earlier names of this target: renaming it then touches nothing on the host (aliases of the child resource)."),
      endpoints: arrayOf(ref(ENDPOINT, ""), "TLS endpoints this target serves: probed after the deployment and by the verification."),
      ...Object.fromEntries(Object.entries(TARGET_FIELDS).map(([field, { property }]) => [field, property])),
    },
    ["kind", "name"],
  ),
  [CHAIN_CERTIFICATE]: objectType("One certificate of the chosen chain.", { subject: string("Subject DN."), sha256: string("SHA-256 of the DER."), label: string('Readable label, "CN [sha256 prefix]".'), pem: string("The certificate, PEM.") }, ["subject", "sha256", "label", "pem"]),
  [TARGET_STATUS]: objectType(
    "One target: where, what was deployed, drift.",
    {
      name: string("The target's name."),
      kind: string("The target's kind."),
      target: string('"local", "user@host:port", the VM or the web app.'),
      drift: strings("Why the target differs from the deployment (filled by refresh); empty when it does not."),
      detail: strings("What was deployed, in words: files and hashes, or what Windows builds."),
    },
    ["name", "kind", "target", "drift", "detail"],
  ),
  [SERVED_CERTIFICATE]: objectType("One certificate as an endpoint sends it.", { sha256: string("SHA-256 of the DER."), label: string('Readable label, "CN [sha256 prefix]".'), subject: string("Subject DN."), pem: string("The certificate, PEM.") }, ["sha256", "label", "subject", "pem"]),
  [PROFILE_RESULT]: objectType("What one client profile makes of a served chain.", { profile: string("The profile's name."), ...verdict }, ["profile", "trusted", "reason"]),
  [ENDPOINT_REPORT]: objectType(
    "What one endpoint serves and what each client profile makes of it.",
    {
      endpoint: string('"host:port" (and SNI).'),
      chain: arrayOf(ref(SERVED_CERTIFICATE, ""), "The certificates as sent; empty when the endpoint could not be read."),
      error: string("Why the chain could not be read, when it could not."),
      matchesDesired: boolean("Whether the endpoint serves the chosen chain."),
      difference: string("Why the served chain is not the chosen one, in words; absent when it is."),
      profiles: arrayOf(ref(PROFILE_RESULT, ""), "The verdict of each client profile."),
      findings: strings('Findings of severity error or warning ("incomplete-chain: ...").'),
    },
    ["endpoint", "chain", "matchesDesired", "profiles", "findings"],
  ),
  [COMPATIBILITY]: objectType("One endpoint and client profile: trusted or not, and why.", { endpoint: string('"host:port" (and SNI).'), profile: string("The profile's name."), ...verdict }, ["endpoint", "profile", "trusted", "reason"]),
};

const inputs = {
  certificate: string("The server certificate (leaf), PEM. Certificates after the first join the pool. Give this with privateKey, or pfx."),
  privateKey: secret("The leaf's private key, PEM (PKCS#8, PKCS#1, SEC1 or encrypted PKCS#8). Never shown or stored in clear."),
  keyPassphrase: secret("Passphrase of an encrypted privateKey."),
  pfx: secret("A PKCS#12 (PFX) file, base64: the leaf with its key, maybe intermediates. Instead of certificate and privateKey."),
  pfxPassword: secret("Password of the pfx."),
  pool: string("Candidate intermediates and cross-signs, PEM, any order: the policy chooses among every valid path through them."),
  policy: string("widest (default: most client profiles, then the oldest anchor, then shortest), shortest, anchor=<root subject or SHA-256>, issuer=<CN>."),
  clientProfiles: arrayOf(ref(CLIENT_PROFILE, ""), 'The clients that matter: { spec: "mozilla" } ("system", "frozen:YYYY-MM-DD", "name=FILE", ...) or { name, roots: PEM }. Default [{ spec: "mozilla" }].'),
  requiredProfiles: strings("Names of the client profiles that must trust the served chain; default: all of clientProfiles."),
  targets: arrayOf(ref(TARGET, ""), "Where the chain goes. The list, each target's kind and name, and the endpoint lists are plain values: they shape the resources."),
  endpoints: arrayOf(ref(ENDPOINT, ""), "More endpoints to verify, beside each target's own."),
  rollout: ref("chainsmith:index:Rollout", "The order of the targets; default parallel."),
  waveSize: string('With rollout waves: targets per wave ("10") or a share of all targets ("25%").'),
  failOn: ref("chainsmith:index:FailOn", "What fails the deployment (and counts as drift)."),
  driftChecks: boolean("Probe the endpoints on every `pulumi preview` and refresh; default true."),
  verifyTimeoutMs: integer("How long each target and the verification wait for the endpoints to serve the right chain; default 10000 ms (targets: 30000)."),
};

export const DEPLOYMENT_TOKEN = "chainsmith:index:CertificateDeployment";

export const componentResources = {
  [DEPLOYMENT_TOKEN]: {
    isComponent: true,
    description:
      "One certificate deployment: chooses the chain through the pool for the client profiles, deploys it to every target (one chainsmith resource each), proves from the wire what clients receive, and shows drift on every preview.",
    inputProperties: inputs,
    requiredInputs: ["targets"],
    properties: {
      chain: arrayOf(ref(CHAIN_CERTIFICATE, ""), "The chosen chain, leaf first, anchor left out."),
      chainPem: string("The chosen chain as one PEM (what fullchain.pem holds)."),
      explanation: string("Every candidate path and why the chosen one won, as a plain-text table."),
      report: string("Markdown for pipeline pages: candidates, a Mermaid graph of the paths, the per-client table and the served chain's findings."),
      targetStatus: arrayOf(ref(TARGET_STATUS, ""), "Per target: where, which files, drift."),
      servedChains: arrayOf(ref(ENDPOINT_REPORT, ""), "Per endpoint: the certificates clients receive, and what each profile makes of them."),
      compatibility: arrayOf(ref(COMPATIBILITY, ""), "Per endpoint and client profile: trusted or not, and why."),
      drift: strings("Drift found by the last refresh, in words; empty when the targets serve what was deployed."),
    },
    required: ["chain", "chainPem", "explanation", "report", "targetStatus", "servedChains", "compatibility", "drift"],
  },
};
