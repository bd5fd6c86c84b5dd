/**
 * An in-memory Windows host for tests: LocalMachine and SYSTEM certificate stores, IIS
 * sites and https bindings, the automatic-root-update policy, and http.sys's cached served
 * chain. It answers the agent's JSON protocol (providers/windows/contract.ts) the way
 * agent.ps1 does, refusals included, and checks every step before applying any, so a
 * refused apply leaves it exactly as it was.
 */
import * as crypto from "node:crypto";
import { Certificate } from "../../../chain/certificate";
import { readPfx } from "../../../chain/pfx-read";
import {
  AgentRequest,
  AgentResponse,
  ApplyReport,
  ChainReport,
  Inventory,
  InventoryBinding,
  STORE_NAMES,
  Step,
  StoreName,
} from "../../../providers/windows/contract";
import { certificateFacts } from "../../../providers/windows/inventory";
import { buildWindowsChain } from "./windows-chain-engine";

/** When a changed store reaches the chain http.sys serves for an existing binding: the ladder's rungs, in order. */
export type CacheRefresh = "flush" | "binding" | "iisreset" | "never";
const RUNG_ORDER: CacheRefresh[] = ["flush", "binding", "iisreset", "never"];

export interface SimulatedHostOptions {
  computerName?: string;
  sites?: string[];
  /** The host's clock for chain building. */
  at: Date;
  /** Microsoft's root program list: roots automatic update fetches on demand. */
  programRoots?: Certificate[];
  /** The first event that makes http.sys rebuild a binding's chain (default "flush"). */
  servedChainStaleUntil?: CacheRefresh;
}

interface Stored {
  cert: Certificate;
  key?: crypto.KeyObject;
}

class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class SimulatedWindowsHost {
  readonly computerName: string;
  readonly stores = new Map<StoreName, Map<string, Stored>>(STORE_NAMES.map((s) => [s, new Map()]));
  readonly sites: string[];
  bindings: InventoryBinding[] = [];
  rootAutoUpdateDisabled = false;
  at: Date;
  programRoots: Certificate[];
  staleUntil: CacheRefresh;
  /** Fault injection: the next PFX import fails on the host (key storage refused). */
  failPfxImport = false;
  /** Every step kind applied, in order (the ladder's rungs show up here). */
  readonly applied: string[] = [];
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

  /** An existing binding, its chain computed now (as when IIS started). */
  addBinding(binding: InventoryBinding): void {
    this.bindings.push(binding);
    this.refreshServed(binding);
  }

  /** Windows Update (or a reimage) puts a root back in Root and clears the local Disallowed entry; then the host reboots. */
  restoreRoot(cert: Certificate): void {
    this.addCertificate("Root", cert);
    this.removeCertificate("Disallowed", cert);
    for (const b of this.bindings) this.refreshServed(b);
  }

  /** What http.sys sends on a binding (leaf first, anchor excluded), and the leaf's key. */
  servedFor(port: number, servername: string | undefined): { chain: Certificate[]; key: crypto.KeyObject } | undefined {
    const binding = this.bindings.find((b) => b.port === port && b.host !== "" && b.host === servername) ?? this.bindings.find((b) => b.port === port && b.host === "");
    if (!binding) return undefined;
    const chain = this.served.get(bindingKey(binding));
    const key = this.findLeaf(binding.certificateHash)?.key;
    return chain && key ? { chain, key } : undefined;
  }

  /** A canonical picture of everything the agent can change, to assert "left as it was". */
  snapshot(): string {
    const stores = [...this.stores].map(([name, certs]) => `${name}:${[...certs.keys()].sort().join(",")}`);
    return JSON.stringify({ stores, bindings: this.bindings, policy: this.rootAutoUpdateDisabled });
  }

  handle(request: AgentRequest): AgentResponse {
    try {
      switch (request.verb) {
        case "inventory":
          return { ok: true, verb: "inventory", result: this.inventory() };
        case "chain":
          return { ok: true, verb: "chain", result: this.chainReport(request.thumbprint) };
        case "apply":
          return { ok: true, verb: "apply", result: this.apply(request) };
        default:
          throw new Refusal("bad-verb", `Unknown verb '${(request as { verb: string }).verb}'.`);
      }
    } catch (e) {
      const code = e instanceof Refusal ? e.code : "agent-failed";
      return { ok: false, verb: request.verb, error: { code, message: (e as Error).message } };
    }
  }

  inventory(): Inventory {
    const certificates: Inventory["certificates"] = [];
    for (const [store, certs] of this.stores) {
      for (const { cert, key } of certs.values()) certificates.push(certificateFacts(cert, store, key !== undefined));
    }
    return { computerName: this.computerName, certificates, sites: [...this.sites], bindings: this.bindings.map((b) => ({ ...b })), rootAutoUpdateDisabled: this.rootAutoUpdateDisabled };
  }

  private chainReport(thumbprint: string): ChainReport {
    const leaf = this.findLeaf(thumbprint);
    if (!leaf) throw new Refusal("certificate-not-found", `No certificate ${thumbprint} in LocalMachine\\My or LocalMachine\\WebHosting.`);
    const { chain, trusted } = this.build(leaf.cert);
    return {
      thumbprint: leaf.cert.sha1,
      elements: chain.map((c) => ({ thumbprint: c.sha1, sha256: c.sha256, subject: c.subject, derBase64: c.der.toString("base64") })),
      status: trusted ? [] : ["PartialChain"],
    };
  }

  private build(leaf: Certificate): { chain: Certificate[]; trusted: boolean } {
    const certs = (...names: StoreName[]) => names.flatMap((n) => [...this.stores.get(n)!.values()].map((s) => s.cert));
    const anchors = [...certs("Root", "AuthRoot", "SYSTEM:Root"), ...(this.rootAutoUpdateDisabled ? [] : this.programRoots)];
    const disallowed = new Set(certs("Disallowed").map((c) => c.sha256));
    const result = buildWindowsChain(leaf, { issuers: certs("CA", "SYSTEM:CA", "My", "WebHosting"), anchors, disallowed, at: this.at });
    const anchor = result.chain[result.chain.length - 1];
    // Automatic root update downloads a program root into AuthRoot when a chain needs it.
    if (result.trusted && !certs("Root", "AuthRoot", "SYSTEM:Root").some((c) => c.sha256 === anchor.sha256)) this.addCertificate("AuthRoot", anchor);
    return result;
  }

  private apply(request: Extract<AgentRequest, { verb: "apply" }>): ApplyReport {
    const bindingsAfter = this.bindingsAfter(request.steps);
    for (const step of request.steps) this.check(step, request, bindingsAfter);
    return { done: request.steps.map((step) => this.run(step, request)) };
  }

  private check(step: Step, request: Extract<AgentRequest, { verb: "apply" }>, bindingsAfter: InventoryBinding[]): void {
    switch (step.kind) {
      case "importCertificate":
        if (step.store.startsWith("SYSTEM:")) throw new Refusal("bad-step", `importCertificate writes LocalMachine stores only, not ${step.store}.`);
        fromDer(step.derBase64, step.thumbprint);
        return;
      case "moveToDisallowed": {
        const found = this.stores.get(step.from)!.get(step.thumbprint);
        if (found) assertSelfSigned(found.cert);
        return;
      }
      case "addToDisallowed":
        assertSelfSigned(fromDer(step.derBase64, step.thumbprint));
        return;
      case "removeCertificate": {
        const user = bindingsAfter.find((b) => b.certificateHash === step.thumbprint);
        if (user && (step.store === "My" || step.store === "WebHosting")) {
          throw new Refusal("refused-in-use", `Refused to remove ${step.thumbprint} from ${step.store}: the https binding ${user.ip}:${user.port}:${user.host} of site '${user.site}' still uses it.`);
        }
        return;
      }
      case "importPfx":
        this.openPfx(request, step.thumbprint);
        return;
      case "replaceBinding": {
        if (!this.sites.includes(step.site)) throw new Refusal("site-missing", `IIS site '${step.site}' does not exist. Sites: ${this.sites.join(", ")}.`);
        const other = this.bindings.find((b) => b.site !== step.site && b.ip === step.ip && b.port === step.port && b.host === step.host);
        if (other) throw new Refusal("binding-conflict", `${step.ip}:${step.port}:${step.host} is already bound by site '${other.site}' to certificate ${other.certificateHash}.`);
        return;
      }
      case "flushChainCaches":
      case "iisreset":
      case "disableRootAutoUpdate":
        return;
      default:
        throw new Refusal("bad-step", `Unknown step kind '${(step as { kind: string }).kind}'.`);
    }
  }

  private run(step: Step, request: Extract<AgentRequest, { verb: "apply" }>): string {
    this.applied.push(step.kind);
    switch (step.kind) {
      case "importCertificate":
        if (this.stores.get(step.store)!.has(step.thumbprint)) return `${step.thumbprint} already in ${step.store}`;
        this.addCertificate(step.store, fromDer(step.derBase64, step.thumbprint));
        return `imported ${step.thumbprint} into ${step.store}`;
      case "moveToDisallowed": {
        const found = this.stores.get(step.from)!.get(step.thumbprint);
        if (!found) return `${step.thumbprint} not in ${step.from}`;
        this.addCertificate("Disallowed", found.cert);
        this.stores.get(step.from)!.delete(step.thumbprint);
        return `moved ${step.thumbprint} from ${step.from} to Disallowed`;
      }
      case "addToDisallowed":
        if (this.stores.get("Disallowed")!.has(step.thumbprint)) return `${step.thumbprint} already in Disallowed`;
        this.addCertificate("Disallowed", fromDer(step.derBase64, step.thumbprint));
        return `added ${step.thumbprint} to Disallowed`;
      case "removeCertificate":
        return this.stores.get(step.store)!.delete(step.thumbprint) ? `removed ${step.thumbprint} from ${step.store}` : `${step.thumbprint} not in ${step.store}`;
      case "importPfx": {
        if (this.stores.get(step.store)!.get(step.thumbprint)?.key) return `${step.thumbprint} already in ${step.store} with its key`;
        const { cert, key } = this.openPfx(request, step.thumbprint);
        this.addCertificate(step.store, cert, key);
        return `imported the PFX of ${step.thumbprint} into ${step.store} (key exportable: ${step.exportable})`;
      }
      case "replaceBinding": {
        const { kind: _kind, ...binding } = step;
        const existed = this.bindings.some((b) => bindingKey(b) === bindingKey(binding));
        this.bindings = this.bindings.filter((b) => bindingKey(b) !== bindingKey(binding));
        this.bindings.push(binding);
        if (!existed || this.refreshes("binding")) this.refreshServed(binding);
        return `bound ${step.ip}:${step.port}:${step.host} of '${step.site}' to ${step.certificateHash} in ${step.certificateStore} (sslFlags ${step.sslFlags})`;
      }
      case "flushChainCaches":
        if (this.refreshes("flush")) for (const b of this.bindings) this.refreshServed(b);
        return "flushed the chain and URL caches";
      case "iisreset":
        if (this.refreshes("iisreset")) for (const b of this.bindings) this.refreshServed(b);
        return "restarted IIS";
      case "disableRootAutoUpdate":
        this.rootAutoUpdateDisabled = true;
        return "set DisableRootAutoUpdate=1";
    }
  }

  private refreshes(event: CacheRefresh): boolean {
    return RUNG_ORDER.indexOf(event) >= RUNG_ORDER.indexOf(this.staleUntil);
  }

  private refreshServed(binding: InventoryBinding): void {
    const leaf = this.findLeaf(binding.certificateHash);
    if (!leaf) return;
    const { chain, trusted } = this.build(leaf.cert);
    this.served.set(bindingKey(binding), trusted ? chain.slice(0, -1) : chain);
  }

  private findLeaf(thumbprint: string): Stored | undefined {
    return this.stores.get("My")!.get(thumbprint) ?? this.stores.get("WebHosting")!.get(thumbprint);
  }

  private openPfx(request: Extract<AgentRequest, { verb: "apply" }>, thumbprint: string): { cert: Certificate; key: crypto.KeyObject } {
    if (!request.pfx) throw new Refusal("pfx-missing", "An importPfx step was sent without a PFX.");
    if (this.failPfxImport) throw new Refusal("pfx-import-failed", "The PFX could not be imported: access to the machine key store was denied. Nothing was changed.");
    let contents;
    try {
      contents = readPfx(Buffer.from(request.pfx.base64, "base64"), request.pfx.password, "pfx");
    } catch {
      throw new Refusal("pfx-import-failed", "The PFX could not be opened: wrong password or damaged file. Nothing was changed.");
    }
    if (!contents.leaf || !contents.key || contents.leaf.sha1 !== thumbprint) {
      throw new Refusal("pfx-import-failed", `The PFX holds ${contents.leaf?.sha1 ?? "no keyed certificate"}, expected ${thumbprint} with its key. Nothing was changed.`);
    }
    return { cert: contents.leaf, key: contents.key };
  }

  private bindingsAfter(steps: Step[]): InventoryBinding[] {
    let after = [...this.bindings];
    for (const step of steps) {
      if (step.kind !== "replaceBinding") continue;
      const { kind: _kind, ...binding } = step;
      after = [...after.filter((b) => bindingKey(b) !== bindingKey(binding)), binding];
    }
    return after;
  }
}

function bindingKey(b: Pick<InventoryBinding, "site" | "ip" | "port" | "host">): string {
  return `${b.site}|${b.ip}|${b.port}|${b.host}`;
}

function fromDer(base64: string, thumbprint: string): Certificate {
  const cert = Certificate.fromDer(Buffer.from(base64, "base64"));
  if (cert.sha1 !== thumbprint) throw new Refusal("thumbprint-mismatch", `The certificate sent as ${thumbprint} has thumbprint ${cert.sha1}.`);
  return cert;
}

function assertSelfSigned(cert: Certificate): void {
  if (!cert.selfSigned) {
    throw new Refusal("refused-not-self-signed", `Refused to distrust ${cert.subject} [${cert.sha1}]: it is not self-signed. Only a self-signed root may go to Disallowed; a cross-signed certificate with the same subject must stay usable.`);
  }
}
