/**
 * An in-memory Windows host for tests, as the agent's real calls would find it: physical
 * certificate stores (Root and CA made of .Default, Group Policy and Enterprise parts; the
 * SYSTEM account's own stores), private keys that may be missing beside their certificate,
 * IIS sites and https bindings, http.sys's SSL entries (IIS's and other programs') with a
 * credential cache per entry, the automatic-root-update policy, certificates the network
 * serves through AIA, and the ways Windows undoes a fix (Group Policy refresh, automatic
 * root update, AIA re-fetch). It answers the agent's JSON protocol
 * (providers/windows/contract.ts) the way agent.ps1 does; steps live in host-steps.ts.
 */
import * as crypto from "node:crypto";
import { Certificate } from "../../../chain/certificate";
import { factsOf } from "../../../providers/windows/certificate-facts";
import { focusClosure } from "../../../providers/windows/inventory-focus";
import {
  AgentErrorCode,
  AgentRequest,
  AgentResponse,
  BindingKey,
  ChainReport,
  DISALLOWED_STORES,
  IIS_APP_ID,
  Inventory,
  InventoryBinding,
  InventoryFocus,
  STORE_NAMES,
  StoreName,
} from "../../../providers/windows/contract";
import { applySteps } from "./host-steps";
import { BuiltChain, buildWindowsChain } from "./windows-chain-engine";

/** When a changed store reaches the chain http.sys serves for an unchanged entry: the ladder's rungs, in order (iisreset is none of them). */
export type CacheRefresh = "flush" | "binding" | "httpRestart" | "never";
const RUNG_ORDER: CacheRefresh[] = ["flush", "binding", "httpRestart", "never"];

export interface SimulatedHostOptions {
  computerName?: string;
  sites?: string[];
  /** The host's clock for chain building. */
  at: Date;
  /** Microsoft's root program list: roots automatic update downloads into AuthRoot when a chain needs them. */
  programRoots?: Certificate[];
  /** The first event that makes http.sys rebuild an unchanged entry's chain (default "flush"). */
  servedChainStaleUntil?: CacheRefresh;
}

export interface StoredCertificate {
  cert: Certificate;
  /** Linked and usable private key; absent when the certificate sits there without it. */
  key?: crypto.KeyObject;
}

/** One http.sys SSL entry. `settings` stands for what only http.sys holds (clientcertnegotiation, sslctlstorename, ...). */
export interface HttpSysEntry {
  kind: "ipport" | "hostnameport" | "ccs";
  endpoint: string;
  certificateHash: string;
  certificateStore: string;
  appId: string;
  settings: Record<string, string>;
}

export interface IisBinding extends BindingKey {
  sslFlags: number;
}

export class Refusal extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class SimulatedWindowsHost {
  readonly computerName: string;
  readonly stores = new Map<StoreName, Map<string, StoredCertificate>>(STORE_NAMES.map((s) => [s, new Map()]));
  readonly sites: string[];
  iisBindings: IisBinding[] = [];
  httpSys: HttpSysEntry[] = [];
  rootAutoUpdateDisabled = false;
  at: Date;
  programRoots: Certificate[];
  staleUntil: CacheRefresh;
  /** What the network serves at AIA URLs: Windows fetches these as issuers whenever a chain is built. */
  aia: Certificate[] = [];
  /** Roots Group Policy distributes: a refresh puts them back in Root:GroupPolicy. */
  groupPolicyRoots: Certificate[] = [];
  /** Thumbprint of the RDP listener's certificate. */
  rdpCertificate = "";
  /** Fault: the PFX import fails (key storage refused). */
  failPfxImport = false;
  /** Fault: netsh's add/update of an http.sys entry (IIS's AddSslCertificate) fails. */
  failAddSslCertificate = false;
  /** IIS also sends the root it built the chain to. */
  sendsRoot = false;
  /** Every step kind applied, in order (the ladder's rungs show up here). */
  readonly applied: string[] = [];
  /** Chains built with the machine context (the agent's `chain` verb). */
  machineChainsBuilt = 0;
  private readonly served = new Map<string, Certificate[]>();

  constructor(options: SimulatedHostOptions) {
    this.computerName = options.computerName ?? "WEB1";
    this.sites = options.sites ?? ["Default Web Site"];
    this.at = options.at;
    this.programRoots = options.programRoots ?? [];
    this.staleUntil = options.servedChainStaleUntil ?? "flush";
  }

  addCertificate(store: StoreName, cert: Certificate, key?: crypto.KeyObject): void {
    this.stores.get(store)!.set(cert.sha1, { cert, key });
  }

  removeCertificate(store: StoreName, cert: Certificate): void {
    this.stores.get(store)!.delete(cert.sha1);
  }

  has(store: StoreName, cert: Certificate): boolean {
    return this.stores.get(store)!.has(cert.sha1);
  }

  /** An existing binding with its http.sys entry, its chain computed now (as when IIS started). */
  addBinding(binding: InventoryBinding, settings: Record<string, string> = {}): void {
    this.iisBindings.push({ site: binding.site, ip: binding.ip, port: binding.port, host: binding.host, sslFlags: binding.sslFlags });
    if (binding.certificateHash) this.setHttpSys({ ...endpointOf(binding), certificateHash: binding.certificateHash, certificateStore: binding.certificateStore, appId: IIS_APP_ID, settings }, true);
  }

  /** Another program's http.sys entry (WinRM over HTTPS, ADFS, SQL Reporting, ...). */
  addHttpSysEntry(entry: Omit<HttpSysEntry, "settings">): void {
    this.setHttpSys({ ...entry, settings: {} }, true);
  }

  /** Windows Update / automatic root update brings a root back into AuthRoot (Disallowed is left alone). */
  windowsUpdateRestoresRoot(cert: Certificate): void {
    this.addCertificate("AuthRoot", cert);
  }

  /** An administrator (or a restored image) takes a root out of Disallowed and puts it back in Root; the host restarts. */
  undoDistrust(cert: Certificate): void {
    this.removeCertificate("Disallowed", cert);
    this.addCertificate("Root", cert);
    this.refreshAll();
  }

  /** gpupdate: the policy's roots are back in Root:GroupPolicy. */
  refreshGroupPolicy(): void {
    for (const root of this.groupPolicyRoots) this.addCertificate("Root:GroupPolicy", root);
  }

  /** What http.sys sends on a port for an SNI name (or the IP entry), and the leaf's key. */
  servedFor(port: number, servername: string | undefined): { chain: Certificate[]; key: crypto.KeyObject } | undefined {
    const sni = servername ? this.httpSys.find((e) => e.kind === "hostnameport" && e.endpoint === `${servername.toLowerCase()}:${port}`) : undefined;
    const entry = sni ?? this.httpSys.find((e) => e.kind === "ipport" && e.endpoint.endsWith(`:${port}`));
    if (!entry) return undefined;
    const chain = this.served.get(entryKey(entry));
    const key = this.findLeaf(entry.certificateHash)?.key;
    return chain && key ? { chain, key } : undefined;
  }

  /** A canonical picture of everything the agent can change, to assert "left as it was". */
  snapshot(): string {
    const stores = [...this.stores].map(([name, certs]) => `${name}:${[...certs].map(([t, s]) => `${t}${s.key ? "+key" : ""}`).sort().join(",")}`);
    return JSON.stringify({ stores, bindings: this.iisBindings, httpSys: this.httpSys, policy: this.rootAutoUpdateDisabled });
  }

  handle(request: AgentRequest): AgentResponse {
    const done: string[] = [];
    try {
      switch (request.verb) {
        case "inventory":
          return { ok: true, verb: "inventory", result: this.inventory(request.focus) };
        case "chain":
          return { ok: true, verb: "chain", result: this.chainReport(request.thumbprint) };
        case "apply":
          return { ok: true, verb: "apply", result: { done: applySteps(this, request, done) } };
        default:
          throw new Refusal("bad-verb", `Unknown verb '${(request as { verb: string }).verb}'.`);
      }
    } catch (e) {
      const code = e instanceof Refusal ? e.code : "agent-failed";
      return { ok: false, verb: request.verb, error: { code, message: (e as Error).message }, ...(done.length > 0 ? { done } : {}) };
    }
  }

  inventory(focus: InventoryFocus): Inventory {
    const placed = [...this.stores].flatMap(([store, certs]) => [...certs.values()].map((s) => ({ store, ...s })));
    const bound = this.bindings().filter((b) => b.site === focus.binding.site && sameInfo(b, focus.binding) && b.certificateHash);
    const facts = uniqueBy(placed.map((p) => factsOf(p.cert)), (f) => f.thumbprint);
    const chosen = new Set(focusClosure(facts, { ...focus, thumbprints: [...focus.thumbprints, ...bound.map((b) => b.certificateHash)] }).map((f) => f.thumbprint));
    const known = new Set(focus.known);
    const bindings = this.bindings().filter((b) => sameInfo(b, focus.binding) || chosen.has(b.certificateHash));
    const users = [...chosen].flatMap((thumbprint) => this.inventoryUsers(thumbprint).map((user) => ({ thumbprint, user })));
    return {
      computerName: this.computerName,
      placements: placed.filter((p) => chosen.has(p.cert.sha1)).map((p) => ({ store: p.store, thumbprint: p.cert.sha1, hasPrivateKey: (p.store === "My" || p.store === "WebHosting") && p.key !== undefined })),
      certificates: facts.filter((f) => chosen.has(f.thumbprint) && !known.has(f.thumbprint)).map(({ label: _l, cert, ...f }) => ({ ...f, derBase64: cert!.isCA || f.selfSigned ? f.derBase64 : "" })),
      sites: [...this.sites],
      bindings,
      certificateUsers: users,
      rootAutoUpdateDisabled: this.rootAutoUpdateDisabled,
      omittedDer: [],
    };
  }

  /** Who else uses a certificate: http.sys entries that are no IIS binding's, and the RDP listener. */
  inventoryUsers(thumbprint: string): string[] {
    const iisEndpoints = new Set(this.iisBindings.map((b) => entryKey(endpointOf(b))));
    return [
      ...this.httpSys.filter((e) => e.certificateHash === thumbprint && !iisEndpoints.has(entryKey(e))).map((e) => `http.sys ${e.kind}=${e.endpoint} (application ${e.appId})`),
      ...(thumbprint !== "" && this.rdpCertificate === thumbprint ? ["Remote Desktop (RDP-Tcp)"] : []),
    ];
  }

  /** The IIS https bindings with the certificate of their http.sys entry, as the agent reports them. */
  bindings(): InventoryBinding[] {
    return this.iisBindings.map((b) => {
      const entry = (b.sslFlags & 2) === 0 ? this.httpSysEntry(endpointOf(b)) : undefined;
      return { ...b, certificateHash: entry?.certificateHash ?? "", certificateStore: entry?.certificateStore ?? "" };
    });
  }

  httpSysEntry(endpoint: Pick<HttpSysEntry, "kind" | "endpoint">): HttpSysEntry | undefined {
    return this.httpSys.find((e) => entryKey(e) === entryKey(endpoint));
  }

  /** netsh http add/update sslcert: a new certificate on an entry makes http.sys acquire its credential (and chain) at once. */
  setHttpSys(entry: HttpSysEntry, fresh: boolean): void {
    const previous = this.httpSysEntry(entry);
    this.httpSys = [...this.httpSys.filter((e) => entryKey(e) !== entryKey(entry)), entry];
    if (fresh || previous?.certificateHash !== entry.certificateHash || this.refreshes("binding")) this.refreshServed(entry);
  }

  deleteHttpSys(endpoint: Pick<HttpSysEntry, "kind" | "endpoint">): void {
    this.httpSys = this.httpSys.filter((e) => entryKey(e) !== entryKey(endpoint));
    this.served.delete(entryKey(endpoint));
  }

  refreshes(event: CacheRefresh): boolean {
    return RUNG_ORDER.indexOf(event) >= RUNG_ORDER.indexOf(this.staleUntil);
  }

  refreshAll(): void {
    for (const e of this.httpSys) this.refreshServed(e);
  }

  findLeaf(thumbprint: string): StoredCertificate | undefined {
    return this.stores.get("My")!.get(thumbprint) ?? this.stores.get("WebHosting")!.get(thumbprint);
  }

  certs(...names: StoreName[]): Certificate[] {
    return names.flatMap((n) => [...this.stores.get(n)!.values()].map((s) => s.cert));
  }

  /** The chain Schannel (as SYSTEM) builds for a leaf now, leaf to anchor. */
  schannelChain(leaf: Certificate): BuiltChain {
    return this.build(leaf, "schannel");
  }

  private chainReport(thumbprint: string): ChainReport {
    const leaf = this.findLeaf(thumbprint);
    if (!leaf) throw new Refusal("certificate-not-found", `No certificate ${thumbprint} in LocalMachine\\My or LocalMachine\\WebHosting.`);
    this.machineChainsBuilt++;
    const built = this.build(leaf.cert, "machine");
    return { thumbprint: leaf.cert.sha1, elements: built.chain.map((c) => ({ thumbprint: c.sha1, sha256: c.sha256, subject: c.subject })), status: built.status };
  }

  /** Schannel (as SYSTEM) sees SYSTEM's stores; a machine-context chain does not. Both fetch AIA and program roots. */
  private build(leaf: Certificate, context: "schannel" | "machine"): BuiltChain {
    const system = context === "schannel" ? this.certs("SYSTEM:CA") : [];
    const systemRoots = context === "schannel" ? this.certs("SYSTEM:Root") : [];
    const storeAnchors = [...this.certs("Root", "Root:GroupPolicy", "Root:Enterprise", "AuthRoot"), ...systemRoots];
    const anchors = [...storeAnchors, ...(this.rootAutoUpdateDisabled ? [] : this.programRoots)];
    const disallowed = new Set(this.certs(...DISALLOWED_STORES).map((c) => c.sha256));
    const issuers = [...this.certs("CA", "CA:GroupPolicy", "CA:Enterprise", "My", "WebHosting"), ...system, ...this.aia];
    const built = buildWindowsChain(leaf, { issuers, anchors, disallowed, at: this.at });
    const anchor = built.chain[built.chain.length - 1];
    // Automatic root update downloads a program root into AuthRoot when a chain needs it.
    if (built.trusted && !storeAnchors.some((c) => c.sha256 === anchor.sha256)) this.addCertificate("AuthRoot", anchor);
    return built;
  }

  private refreshServed(entry: HttpSysEntry): void {
    const leaf = this.findLeaf(entry.certificateHash);
    if (!leaf) return;
    const { chain } = this.build(leaf.cert, "schannel");
    const withoutRoot = chain.length > 1 && chain[chain.length - 1].selfSigned ? chain.slice(0, -1) : chain;
    this.served.set(entryKey(entry), this.sendsRoot ? chain : withoutRoot);
  }
}

/** The http.sys entry an IIS binding uses: hostnameport for SNI, ipport otherwise (CCS bindings have none here). */
export function endpointOf(b: BindingKey & { sslFlags: number }): Pick<HttpSysEntry, "kind" | "endpoint"> {
  if (b.sslFlags & 1) return { kind: "hostnameport", endpoint: `${b.host}:${b.port}` };
  return { kind: "ipport", endpoint: `${b.ip === "*" ? "0.0.0.0" : b.ip}:${b.port}` };
}

export function bindingInformation(b: BindingKey): string {
  return `${b.ip}:${b.port}:${b.host}`;
}

function sameInfo(a: BindingKey, b: BindingKey): boolean {
  return bindingInformation(a) === bindingInformation(b);
}

function entryKey(e: Pick<HttpSysEntry, "kind" | "endpoint">): string {
  return `${e.kind}=${e.endpoint}`;
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  return [...new Map(items.map((i) => [key(i), i])).values()];
}
