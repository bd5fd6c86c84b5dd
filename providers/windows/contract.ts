/**
 * The JSON contract between TypeScript and the Windows agent (providers/windows/agent.ps1):
 * verbs, step kinds and fields. The agent and the simulated host used in tests implement
 * exactly these; a test reads the names back out of the script text to keep them in step.
 */

/** What the agent can be asked to do. */
export const AGENT_VERBS = ["inventory", "apply", "chain"] as const;
export type AgentVerb = (typeof AGENT_VERBS)[number];

/**
 * Certificate stores the agent reads and writes. "SYSTEM:CA" and "SYSTEM:Root" are the
 * SYSTEM account's own user stores, which http.sys consults too.
 */
export const STORE_NAMES = ["My", "WebHosting", "CA", "Root", "AuthRoot", "Disallowed", "SYSTEM:CA", "SYSTEM:Root"] as const;
export type StoreName = (typeof STORE_NAMES)[number];

/** Stores a leaf with its key may live in (IIS binds from these). */
export type LeafStore = "My" | "WebHosting";
/** Stores a self-signed root is moved out of, into Disallowed. */
export const DISTRUST_SOURCES = ["Root", "AuthRoot", "CA", "SYSTEM:CA", "SYSTEM:Root"] as const;
export type DistrustSource = (typeof DISTRUST_SOURCES)[number];

/** IIS sslFlags bits (IIS values; http.sys's own differ). */
export const SSL_FLAGS = { sni: 1, centralCertStore: 2, disableHttp2: 4, disableOcspStapling: 8, disableQuic: 16, disableTls13: 32, disableLegacyTls: 64 } as const;

/** One certificate as the agent reports it. */
export interface InventoryCertificate {
  store: StoreName;
  /** Uppercase hex SHA-1, as Windows shows it. */
  thumbprint: string;
  /** Lowercase hex SHA-256 of the DER. */
  sha256: string;
  subject: string;
  issuer: string;
  subjectKeyId: string;
  authorityKeyId: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  hasPrivateKey: boolean;
  derBase64: string;
}

/** One IIS https binding. */
export interface InventoryBinding {
  site: string;
  /** "*" for all addresses. */
  ip: string;
  port: number;
  /** "" for an IP (non-SNI) binding. */
  host: string;
  sslFlags: number;
  /** Uppercase hex SHA-1; "" for a CCS binding. */
  certificateHash: string;
  certificateStore: string;
}

export interface Inventory {
  computerName: string;
  certificates: InventoryCertificate[];
  sites: string[];
  bindings: InventoryBinding[];
  /** HKLM\SOFTWARE\Policies\Microsoft\SystemCertificates\AuthRoot DisableRootAutoUpdate=1. */
  rootAutoUpdateDisabled: boolean;
}

/** One element of the chain Windows builds (X509Chain.Build, machine context), leaf first. */
export interface ChainElement {
  thumbprint: string;
  sha256: string;
  subject: string;
  derBase64: string;
}

export interface ChainReport {
  thumbprint: string;
  elements: ChainElement[];
  /** X509ChainStatus flags of the whole chain, e.g. "UntrustedRoot", "ExplicitDistrust"; empty when trusted. */
  status: string[];
}

/** Primitive, idempotent steps; every decision about them is taken by the planner. */
export type Step =
  | { kind: "importCertificate"; store: StoreName; thumbprint: string; derBase64: string }
  | { kind: "moveToDisallowed"; from: DistrustSource; thumbprint: string }
  | { kind: "addToDisallowed"; thumbprint: string; derBase64: string }
  | { kind: "removeCertificate"; store: StoreName; thumbprint: string }
  /** The PFX itself travels apart from the steps (AgentRequest.pfx or protected parameters). */
  | { kind: "importPfx"; store: LeafStore; thumbprint: string; exportable: boolean }
  | { kind: "replaceBinding"; site: string; ip: string; port: number; host: string; sslFlags: number; certificateHash: string; certificateStore: LeafStore }
  | { kind: "flushChainCaches" }
  | { kind: "iisreset" }
  | { kind: "disableRootAutoUpdate" };

export type StepKind = Step["kind"];

/** Each step kind with its fields, at run time (the agent reads exactly these). */
export const STEP_FIELDS = {
  importCertificate: ["store", "thumbprint", "derBase64"],
  moveToDisallowed: ["from", "thumbprint"],
  addToDisallowed: ["thumbprint", "derBase64"],
  removeCertificate: ["store", "thumbprint"],
  importPfx: ["store", "thumbprint", "exportable"],
  replaceBinding: ["site", "ip", "port", "host", "sslFlags", "certificateHash", "certificateStore"],
  flushChainCaches: [],
  iisreset: [],
  disableRootAutoUpdate: [],
} as const satisfies { [K in StepKind]: readonly Exclude<keyof Extract<Step, { kind: K }>, "kind">[] };
export const STEP_KINDS = Object.keys(STEP_FIELDS) as StepKind[];

/** The leaf-only PFX and its one-time password: only ever on stdin or in protected parameters. */
export interface PfxPayload {
  base64: string;
  password: string;
}

export type AgentRequest =
  | { verb: "inventory" }
  | { verb: "chain"; thumbprint: string }
  | { verb: "apply"; steps: Step[]; pfx?: PfxPayload };

export interface ApplyReport {
  /** One line per step: what was done, or why nothing needed doing. */
  done: string[];
}

export type AgentResult = Inventory | ChainReport | ApplyReport;

/** The agent's whole answer, printed as one line after RESULT_MARKER. */
export type AgentResponse =
  | { ok: true; verb: AgentVerb; result: AgentResult }
  | { ok: false; verb: string; error: { code: string; message: string } };

/** Marks the agent's answer on stdout, so stray output (module banners, warnings) cannot be mistaken for it. */
export const RESULT_MARKER = "CHAINSMITH-AGENT-RESULT:";
/** Separates the script from its JSON input on stdin. */
export const INPUT_MARKER = "CHAINSMITH-AGENT-INPUT";

/** Field names of each JSON object, at run time: tests hold the script and the simulated host to them. */
export const CERTIFICATE_FIELDS = ["store", "thumbprint", "sha256", "subject", "issuer", "subjectKeyId", "authorityKeyId", "notBefore", "notAfter", "hasPrivateKey", "derBase64"] as const satisfies readonly (keyof InventoryCertificate)[];
export const BINDING_FIELDS = ["site", "ip", "port", "host", "sslFlags", "certificateHash", "certificateStore"] as const satisfies readonly (keyof InventoryBinding)[];
export const INVENTORY_FIELDS = ["computerName", "certificates", "sites", "bindings", "rootAutoUpdateDisabled"] as const satisfies readonly (keyof Inventory)[];
export const CHAIN_ELEMENT_FIELDS = ["thumbprint", "sha256", "subject", "derBase64"] as const satisfies readonly (keyof ChainElement)[];
export const CHAIN_REPORT_FIELDS = ["thumbprint", "elements", "status"] as const satisfies readonly (keyof ChainReport)[];
