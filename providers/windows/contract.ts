/**
 * The JSON contract between TypeScript and the Windows agent (providers/windows/agent.ps1):
 * verbs, step kinds and fields. The agent and the simulated host used in tests implement
 * exactly these; a test reads the names back out of the script text to keep them in step.
 */

/** What the agent can be asked to do. */
export const AGENT_VERBS = ["inventory", "apply", "chain"] as const;
export type AgentVerb = (typeof AGENT_VERBS)[number];

/**
 * Physical certificate stores. LocalMachine\Root and \CA are logical stores made of
 * physical ones: "Root" here is Root\.Default only; "Root:GroupPolicy" and "Root:Enterprise"
 * are filled by Group Policy and Active Directory, cannot be written and come back at the
 * next policy refresh. "SYSTEM:CA" and "SYSTEM:Root" are the SYSTEM account's own stores,
 * which Schannel (running as SYSTEM) reads and a machine-context chain does not.
 */
export const STORE_NAMES = [
  "My",
  "WebHosting",
  "CA",
  "Root",
  "AuthRoot",
  "Disallowed",
  "CA:GroupPolicy",
  "Root:GroupPolicy",
  "Disallowed:GroupPolicy",
  "CA:Enterprise",
  "Root:Enterprise",
  "SYSTEM:CA",
  "SYSTEM:Root",
] as const;
export type StoreName = (typeof STORE_NAMES)[number];

/** Stores managed by policy: never written by chainsmith (a removal would fail or be undone). */
export const POLICY_STORES = ["CA:GroupPolicy", "Root:GroupPolicy", "Disallowed:GroupPolicy", "CA:Enterprise", "Root:Enterprise"] as const satisfies readonly StoreName[];
/** Where an explicit distrust lives. */
export const DISALLOWED_STORES = ["Disallowed", "Disallowed:GroupPolicy"] as const satisfies readonly StoreName[];
/** Stores a leaf with its key may live in (IIS binds from these). */
export type LeafStore = "My" | "WebHosting";
/** Stores chainsmith imports issuers into. */
export type WritableIssuerStore = "CA" | "Root" | "AuthRoot";
/** Stores a self-signed root is moved out of, into Disallowed (the writable ones). */
export const DISTRUST_SOURCES = ["Root", "AuthRoot", "CA", "SYSTEM:CA", "SYSTEM:Root"] as const satisfies readonly StoreName[];
export type DistrustSource = (typeof DISTRUST_SOURCES)[number];
/** Stores a stale issuer is taken out of. */
export type RemovableStore = DistrustSource | LeafStore;

/** IIS sslFlags bits (IIS values; http.sys's own differ). */
export const SSL_FLAGS = { sni: 1, centralCertStore: 2, disableHttp2: 4, disableOcspStapling: 8, disableQuic: 16, disableTls13: 32, disableLegacyTls: 64 } as const;
/** The application id IIS registers its http.sys entries under. */
export const IIS_APP_ID = "{4dc3e181-e14b-4a21-b022-59fc669b0914}";

/** An IIS https binding's identity: its site and exact bindingInformation parts. */
export interface BindingKey {
  site: string;
  /** "*" for all addresses, an IPv4 address, or an IPv6 address in brackets. */
  ip: string;
  port: number;
  /** "" for an IP (non-SNI) binding; lowercase. */
  host: string;
}

/**
 * What an inventory reports: every certificate that can take part in the chain of the
 * desired leaf (found by following subject and issuer names and key identifiers from the
 * given seeds, never by building a chain), the certificates asked for by thumbprint, and
 * the one bound now at the binding. Only what the plan needs, so that the answer fits
 * Azure Run Command's 4,096-byte output.
 */
export interface InventoryFocus {
  binding: BindingKey;
  /** Hex SHA-256 (first 32 digits) of subject or issuer Name DERs to start from. */
  names: string[];
  /** Key identifiers (hex) to start from. */
  keyIds: string[];
  /** Certificates to report wherever they are. */
  thumbprints: string[];
  /** Certificates the program has: reported by placement only, without their facts. */
  known: string[];
}

/** One certificate in one physical store. */
export interface InventoryPlacement {
  store: StoreName;
  /** Uppercase hex SHA-1, as Windows shows it. */
  thumbprint: string;
  /** A private key is linked and opens (not merely flagged). */
  hasPrivateKey: boolean;
}

/** What the agent reads from a certificate the program does not know. */
export interface InventoryCertificate {
  thumbprint: string;
  /** Lowercase hex SHA-256 of the DER. */
  sha256: string;
  /** As Windows shows it, for messages. */
  subject: string;
  /** First 32 hex digits of the SHA-256 of the subject Name's DER (names are compared as Windows does: byte for byte). */
  subjectName: string;
  issuerName: string;
  /** First 32 hex digits of the SHA-256 of the public key's bits: equal for same-key certificates. */
  keyHash: string;
  subjectKeyId: string;
  authorityKeyId: string;
  /** Issuer == Subject and the signature verifies with its own key, checked without building a chain. */
  selfSigned: boolean;
  /** The DER of a certificate that can issue (a CA or a self-signed root); "" for an end-entity one, or when left out to fit the output limit (then listed in Inventory.omittedDer). */
  derBase64: string;
}

/** One IIS https binding. */
export interface InventoryBinding extends BindingKey {
  sslFlags: number;
  /** Uppercase hex SHA-1 of its http.sys entry; "" for a CCS binding or a missing entry. */
  certificateHash: string;
  certificateStore: string;
}

/** Something other than the IIS bindings reported that uses a certificate: another http.sys entry, the RDP listener. */
export interface CertificateUser {
  thumbprint: string;
  /** In words, e.g. "http.sys ipport=0.0.0.0:5986 (application {afebb9ad-...})". */
  user: string;
}

export interface Inventory {
  computerName: string;
  placements: InventoryPlacement[];
  certificates: InventoryCertificate[];
  sites: string[];
  /** The binding asked for, bindings at the same address in other sites, and bindings using a reported certificate. */
  bindings: InventoryBinding[];
  certificateUsers: CertificateUser[];
  /** HKLM\SOFTWARE\Policies\Microsoft\SystemCertificates\AuthRoot DisableRootAutoUpdate=1. */
  rootAutoUpdateDisabled: boolean;
  /** Thumbprints whose DER was left out to fit the output limit. */
  omittedDer: string[];
}

/** One element of the chain Windows builds (X509Chain.Build, machine context, serverAuth), leaf first. */
export interface ChainElement {
  thumbprint: string;
  sha256: string;
  subject: string;
}

export interface ChainReport {
  thumbprint: string;
  /** The chain built; for an untrusted one, the best (partial) chain Windows found. */
  elements: ChainElement[];
  /** X509ChainStatus flags of the whole chain, e.g. "UntrustedRoot", "ExplicitDistrust"; empty when trusted. */
  status: string[];
}

/** Primitive, idempotent steps; every decision about them is taken by the planner. */
export type Step =
  | { kind: "importCertificate"; store: WritableIssuerStore; thumbprint: string; derBase64: string }
  | { kind: "moveToDisallowed"; from: DistrustSource; thumbprint: string }
  | { kind: "addToDisallowed"; thumbprint: string; derBase64: string }
  /** A stale issuer that shares subject and key with `keptTwin` (in CA), distrusted per certificate: removing it would not last (AIA brings it back). */
  | { kind: "distrustStaleTwin"; thumbprint: string; derBase64: string; keptTwin: string }
  | { kind: "removeCertificate"; store: RemovableStore; thumbprint: string }
  /** The PFX itself travels apart from the steps (a secret segment on stdin, or sealed with a protected key). */
  | { kind: "importPfx"; store: LeafStore; thumbprint: string; exportable: boolean }
  | { kind: "replaceBinding"; site: string; ip: string; port: number; host: string; sslFlags: number; certificateHash: string; certificateStore: LeafStore }
  | { kind: "flushChainCaches" }
  | { kind: "iisreset" }
  | { kind: "restartHttpService" }
  | { kind: "disableRootAutoUpdate" };

export type StepKind = Step["kind"];

/** Each step kind with its fields, at run time (the agent reads exactly these). */
export const STEP_FIELDS = {
  importCertificate: ["store", "thumbprint", "derBase64"],
  moveToDisallowed: ["from", "thumbprint"],
  addToDisallowed: ["thumbprint", "derBase64"],
  distrustStaleTwin: ["thumbprint", "derBase64", "keptTwin"],
  removeCertificate: ["store", "thumbprint"],
  importPfx: ["store", "thumbprint", "exportable"],
  replaceBinding: ["site", "ip", "port", "host", "sslFlags", "certificateHash", "certificateStore"],
  flushChainCaches: [],
  iisreset: [],
  restartHttpService: [],
  disableRootAutoUpdate: [],
} as const satisfies { [K in StepKind]: readonly Exclude<keyof Extract<Step, { kind: K }>, "kind">[] };
export const STEP_KINDS = Object.keys(STEP_FIELDS) as StepKind[];

/** The leaf-only PFX and its password: never in a request's JSON, only in the secret segment or sealed. */
export interface PfxPayload {
  base64: string;
  password: string;
}

interface RequestBase {
  /** Bytes the whole result line may take (Azure Run Command keeps only the last 4,096 of its output). */
  outputLimit?: number;
  /** Not read by the agent: Azure re-runs a command only when its script changes. */
  runToken?: string;
}

export type AgentRequest = RequestBase &
  (
    | { verb: "inventory"; focus: InventoryFocus }
    | { verb: "chain"; thumbprint: string }
    /** `pfx` is taken out of the JSON by the transport; `sealedPfx` is the PFX payload AES-encrypted under a key that travels apart (Azure). */
    | { verb: "apply"; steps: Step[]; pfx?: PfxPayload; sealedPfx?: string }
  );

export interface ApplyReport {
  /** One line per step: what was done, or why nothing needed doing. */
  done: string[];
}

export type AgentResult = Inventory | ChainReport | ApplyReport;

/**
 * The codes of the agent's refusals and failures (Stop-Agent in agent.ps1, and agent-failed for
 * any other exception); the simulated host answers with the same.
 */
export const AGENT_ERROR_CODES = [
  "agent-failed",
  "bad-input",
  "bad-step",
  "bad-verb",
  "binding-ambiguous",
  "binding-conflict",
  "binding-not-updated",
  "certificate-key-unusable",
  "certificate-not-found",
  "command-failed",
  "flush-failed",
  "pfx-import-failed",
  "pfx-key-unusable",
  "pfx-missing",
  "refused-in-use",
  "refused-not-self-signed",
  "refused-not-stale-twin",
  "site-missing",
  "thumbprint-mismatch",
] as const;
export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

/** The agent's whole answer, printed as one line after RESULT_MARKER (or GZIP_RESULT_MARKER). */
export type AgentResponse =
  | { ok: true; verb: AgentVerb; result: AgentResult }
  /** `done`: the steps of an apply finished before the failure. */
  | { ok: false; verb: string; error: { code: AgentErrorCode; message: string }; done?: string[] };

/** Marks the agent's answer on stdout, so stray output (module banners, warnings) cannot be mistaken for it. */
export const RESULT_MARKER = "CHAINSMITH-AGENT-RESULT:";
/** The same answer, gzip-compressed and base64-encoded (when the request has an outputLimit). */
export const GZIP_RESULT_MARKER = "CHAINSMITH-AGENT-RESULT-GZIP:";
/** Separates the script from its JSON input on stdin. */
export const INPUT_MARKER = "CHAINSMITH-AGENT-INPUT";
/** Separates the JSON input from the secret segment (the PFX payload) on stdin. */
export const SECRET_MARKER = "CHAINSMITH-AGENT-SECRET";
/** The line of agent.ps1 that a transport replaces with the request, base64 (Azure: the request rides in the script). */
export const EMBEDDED_REQUEST_LINE = "$EmbeddedRequest = ''";

/** Field names of each JSON object, at run time: tests hold the script and the simulated host to them. */
export const PLACEMENT_FIELDS = ["store", "thumbprint", "hasPrivateKey"] as const satisfies readonly (keyof InventoryPlacement)[];
export const CERTIFICATE_FIELDS = ["thumbprint", "sha256", "subject", "subjectName", "issuerName", "keyHash", "subjectKeyId", "authorityKeyId", "selfSigned", "derBase64"] as const satisfies readonly (keyof InventoryCertificate)[];
export const BINDING_FIELDS = ["site", "ip", "port", "host", "sslFlags", "certificateHash", "certificateStore"] as const satisfies readonly (keyof InventoryBinding)[];
export const INVENTORY_FIELDS = ["computerName", "placements", "certificates", "sites", "bindings", "certificateUsers", "rootAutoUpdateDisabled", "omittedDer"] as const satisfies readonly (keyof Inventory)[];
export const CHAIN_ELEMENT_FIELDS = ["thumbprint", "sha256", "subject"] as const satisfies readonly (keyof ChainElement)[];
export const CHAIN_REPORT_FIELDS = ["thumbprint", "elements", "status"] as const satisfies readonly (keyof ChainReport)[];
