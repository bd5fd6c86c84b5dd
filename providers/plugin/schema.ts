// The chainsmith package schema: the resources the provider serves, with named object types
// and enums (no TypeScript unions), so that `pulumi package gen-sdk` can serve any language.
// Secret properties are marked; descriptions become the editor hints of generated SDKs. Types that
// the component shares with a module's resources live in index: Go packages must not import each other.
import { PROTOCOLS } from "../../probe/endpoint";
import { PRESETS } from "../linux/presets";

import { arrayOf, boolean, CHAIN_ENTRY as chainEntry, CLIENT_PROFILE as profile, ENDPOINT as endpoint, ENDPOINT_REPORT, enumOf, integer, login, ref, secret, string } from "./schema-builders";
import { componentResources, componentTypes } from "./component-schema";

const types = {
  [endpoint]: {
    type: "object",
    description: "A TLS endpoint that serves the certificate: probed from the wire after deploying and on every preview.",
    properties: {
      host: string("Host name or address."),
      port: integer("TCP port."),
      servername: string("SNI name; default the host when it is a DNS name."),
      protocol: ref("chainsmith:index:Protocol", "How TLS starts; default tls (at once)."),
    },
    required: ["host", "port"],
  },
  "chainsmith:index:Protocol": enumOf("tls: TLS at once, also smtps, imaps, pop3s, ldaps on their ports; smtp, imap, pop3, ftp, ldap, postgres, xmpp: TLS after the protocol's STARTTLS.", PROTOCOLS),
  [chainEntry]: {
    type: "object",
    description: "One certificate of a chain.",
    properties: { sha256: string("SHA-256 of the DER."), label: string('Readable label, "CN [sha256 prefix]".') },
    required: ["sha256", "label"],
  },
  [profile]: {
    type: "object",
    description: "A client population: a built-in name (`spec`) or a name with the PEM of its roots.",
    properties: { spec: string('A built-in profile, e.g. "mozilla", "system", "frozen:2016-01-01".'), name: string("Name of a custom profile."), roots: string("PEM of the custom profile's roots.") },
  },
  "chainsmith:index:JumpHost": { type: "object", description: "A bastion; it authenticates with the same key or agent as the target.", properties: login, required: ["host", "user"] },
  "chainsmith:linux:Connection": {
    type: "object",
    description: "How to reach a Linux host: over SSH (host key verified) or the machine running Pulumi.",
    properties: {
      kind: { ...enumOf("ssh (default) or local (the machine running Pulumi).", ["ssh", "local"]) },
      ...login,
      sudo: boolean("Run commands through `sudo -n` (the login user is not root)."),
      connectTimeoutMs: integer("How long to wait for the SSH server, retries included."),
      commandTimeoutMs: integer("How long one command on the host (config test, reload, a file's transfer) may run before it is killed there; default 60000."),
      agent: string("ssh-agent socket, used when no sshPrivateKey is given."),
      jumpHost: ref("chainsmith:index:JumpHost", "A bastion to go through."),
    },
  },
  "chainsmith:index:FileOptions": {
    type: "object",
    description: "Where one file goes and with which rights.",
    properties: { path: string("Absolute path on the host."), mode: integer("Permission bits, e.g. 0o640 = 416."), owner: string("User name or id."), group: string("Group name or id.") },
  },
  "chainsmith:index:Preset": enumOf("Which server reads the files: its file paths, config test and reload.", Object.keys(PRESETS)),
  "chainsmith:index:OnDelete": enumOf("What delete does: restore the files found before the first deployment, or keep the deployed ones.", ["restore", "keep"]),
  "chainsmith:index:PfxProfile": enumOf("PKCS#12 encryption: modern (AES-256, SHA-256 MAC) or legacy (3DES, SHA-1 MAC) for Windows Server 2016 and Azure App Service.", ["modern", "legacy"]),
  "chainsmith:linux:DeployedFile": {
    type: "object",
    description: "A file written by the deployment.",
    properties: { path: string("Path on the host."), role: string("fullchain, privkey, chain, cert, combined, pfx, ..."), sha256: string("SHA-256 of the content."), mode: integer("Permission bits.") },
    required: ["path", "role", "sha256", "mode"],
  },
  "chainsmith:windows:Connection": {
    type: "object",
    description: "The Windows host's OpenSSH server.",
    properties: { ...login, connectTimeoutMs: integer("How long to wait for the SSH server."), commandTimeoutMs: integer("Limit for one agent run; default 600000."), agent: string("ssh-agent socket.") },
    required: ["host", "user"],
  },
  "chainsmith:index:IisBinding": {
    type: "object",
    description: "The IIS HTTPS binding.",
    properties: { site: string('IIS site name, e.g. "Default Web Site".'), port: integer("Port."), ip: string('"*" (default) or one address.'), host: string("Host name of an SNI binding; empty for an IP binding.") },
    required: ["site", "port"],
  },
  "chainsmith:index:LeafStore": enumOf("Where the leaf and its key go.", ["My", "WebHosting"]),
};

const linuxInputs = {
  connection: ref("chainsmith:linux:Connection", "How to reach the host."),
  sshPrivateKey: secret("SSH login key."),
  sshPassphrase: secret("Passphrase of sshPrivateKey."),
  preset: ref("chainsmith:index:Preset", "Which server reads the files."),
  directory: string("Put the preset's files in this directory, keeping their names."),
  files: { type: "object", additionalProperties: ref("chainsmith:index:FileOptions", "Per-role file."), description: "Per-role overrides (fullchain, privkey, ...); for preset custom, the files to write." },
  reloadCommand: string('Replaces the preset\'s reload command; "" skips the reload.'),
  configTestCommand: string('Replaces the preset\'s config test; "" skips it.'),
  chain: string("PEM chain to serve, leaf first, anchor left out."),
  privateKey: secret("The leaf's private key, PEM."),
  keyPassphrase: secret("Passphrase of an encrypted privateKey."),
  pfxPassword: secret("Password of a PFX file the preset writes."),
  pfxProfile: ref("chainsmith:index:PfxProfile", "PKCS#12 encryption of a PFX file."),
  endpoints: arrayOf(ref(endpoint, ""), "TLS endpoints that must serve the chain after the reload."),
  verifyTimeoutMs: integer("How long to wait for the endpoints to serve the new chain; default 30000."),
  onDelete: ref("chainsmith:index:OnDelete", "What delete does; default restore."),
};

const iisInputs = {
  connection: ref("chainsmith:windows:Connection", "How to reach the host."),
  sshPrivateKey: secret("SSH login key."),
  sshPassphrase: secret("Passphrase of sshPrivateKey."),
  chain: string("PEM chain to serve, leaf first, no root."),
  privateKey: secret("The leaf's private key, PEM."),
  keyPassphrase: secret("Passphrase of an encrypted privateKey."),
  binding: ref("chainsmith:index:IisBinding", "The IIS binding."),
  leafStore: ref("chainsmith:index:LeafStore", "Where the leaf goes; default My."),
  exportableKey: boolean("Mark the imported key exportable; default false."),
  disableRootAutoUpdate: boolean("Set DisableRootAutoUpdate=1 (the host stops receiving new roots); default false."),
  removeOldLeaf: boolean("Remove the previously bound leaf once no IIS binding, http.sys entry or RDP uses it; default false."),
  allowIisreset: boolean("Let the verification ladder run iisreset (restarts every IIS site); default false."),
  allowHttpServiceRestart: boolean("Let the verification ladder restart the HTTP service (restarts IIS, WinRM and every other http.sys user); default false."),
  knownCertificates: string("PEM of other certificates known to exist (the pool): self-signed twins to distrust even when absent."),
  programRootsFile: string("A PEM file of Microsoft's root program list, for the prediction."),
  endpoint: ref(endpoint, "Where clients connect, to verify the served chain."),
  pfxProfile: ref("chainsmith:index:PfxProfile", "PKCS#12 encryption of the imported PFX."),
  at: string("Chain-building time, ISO 8601; default now."),
};

const checkInputs = {
  endpoints: arrayOf(ref(endpoint, ""), "The endpoints to probe."),
  desiredChain: string("PEM, leaf first, anchor left out."),
  profiles: arrayOf(ref(profile, ""), "The client populations that judge the served chain."),
  requiredProfiles: arrayOf({ type: "string" }, "Names of the profiles that must trust the served chain; default all."),
  failOnDiffers: boolean("Fail (and report drift) when an endpoint serves another chain; default true."),
  failOnUntrusted: boolean("Fail (and report drift) when a required profile does not trust the served chain; default true."),
  driftChecks: boolean("Probe the endpoints on every preview and refresh; default true."),
  verifyTimeoutMs: integer("How long to wait for the endpoints to serve the right chain; default 10000."),
  timeoutMs: integer("Timeout of one probe; default 5000."),
};

const drift = arrayOf({ type: "string" }, "Why the live state differs from the deployment (filled by refresh); empty when it does not.");

const resources = {
  "chainsmith:linux:TlsFiles": {
    description: "TLS files deployed to one Linux host (over SSH, or this machine): written atomically, config-tested, reloaded, checked on the wire; drift shows on preview.",
    inputProperties: linuxInputs,
    requiredInputs: ["connection", "chain", "privateKey"],
    properties: {
      ...Object.fromEntries(Object.entries(linuxInputs).filter(([name]) => !["privateKey", "keyPassphrase", "pfxPassword"].includes(name))),
      target: string('"user@host:port" or "local".'),
      deployedFiles: arrayOf(ref("chainsmith:linux:DeployedFile", ""), "The files written."),
      servedChain: arrayOf(ref(chainEntry, ""), "The chain the endpoints serve."),
      drift,
      owner: string("Who owns the files on the host: recorded beside them, so that another resource's delete leaves them alone."),
      stateVersion: integer("Version of the state's shape."),
    },
    required: ["connection", "chain", "target", "deployedFiles", "servedChain", "drift"],
  },
  "chainsmith:windows:IisCertificate": {
    description: "One certificate on a Windows IIS host over SSH: stores arranged so that Windows builds the desired chain, the leaf imported and bound, the served chain checked on the wire.",
    inputProperties: iisInputs,
    requiredInputs: ["connection", "chain", "privateKey", "binding", "endpoint"],
    properties: {
      ...Object.fromEntries(Object.entries(iisInputs).filter(([name]) => !["privateKey", "keyPassphrase"].includes(name))),
      target: string('"user@host:port".'),
      computerName: string("The Windows computer name."),
      servedChain: arrayOf(ref(chainEntry, ""), "The chain clients receive."),
      preview: string('"IIS serves now: ...; after apply: ..." as seen at the last deployment.'),
      drift,
    },
    required: ["connection", "chain", "binding", "endpoint", "target", "servedChain", "drift"],
  },
  "chainsmith:index:ServedChainCheck": {
    description: "Proof from the wire that clients receive the desired chain; a mismatch fails the deployment, and every preview probes again (drift).",
    inputProperties: checkInputs,
    requiredInputs: ["endpoints", "desiredChain"],
    properties: { ...checkInputs, served: arrayOf(ref(ENDPOINT_REPORT, ""), "What each endpoint serves and what each client profile makes of it."), drift },
    required: ["endpoints", "desiredChain", "served", "drift"],
  },
};

export function packageSchema(version: string): string {
  return JSON.stringify({
    name: "chainsmith",
    version,
    description: "Declare the TLS certificate chain your servers must serve: chainsmith chooses it, deploys it to Linux and Windows IIS hosts, proves it from the wire and shows drift on preview.",
    license: "Apache-2.0",
    // The SDKs as packages of their own (the Go one with its go.mod).
    meta: { supportPack: true },
    types: { ...types, ...componentTypes },
    resources: { ...resources, ...componentResources },
    // The generated SDKs (sdk/, npm run gen-sdk). The Node.js one is not the chainsmith package (that one holds the in-process class): another name.
    language: {
      nodejs: { packageName: "@chainsmith/sdk", dependencies: { "@pulumi/pulumi": "^3" } },
      python: { packageName: "pulumi_chainsmith", requires: { pulumi: ">=3.0.0,<4.0.0" }, pyproject: { enabled: true } },
      go: { importBasePath: "chainsmith.example/sdk/go/chainsmith" },
      csharp: { rootNamespace: "Chainsmith", packageReferences: { Pulumi: "3.*" } },
    },
  });
}
