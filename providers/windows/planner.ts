/**
 * What to change on a Windows host so that IIS serves the desired chain: every decision,
 * from the desired chain and an inventory, as primitive steps for the agent, each with the
 * reason in words. Pure: no I/O, no clock.
 *
 * 1. Every intermediate and cross-sign of the desired chain goes to LocalMachine\CA.
 * 2. Every self-signed twin (same subject and key) of a cross-signed certificate in the
 *    desired chain goes to Disallowed: moved out of Root, AuthRoot, CA and the SYSTEM
 *    stores, and added even when absent, so automatic root update cannot bring it back.
 * 3. Stale intermediates sharing a key with a desired one (Let's Encrypt X1/X3) go.
 * 4. The leaf-only PFX is imported; the https binding is replaced, its flags kept.
 * 5. The previously bound leaf goes only when no binding uses it any more.
 */
import { Certificate, uniqueCertificates } from "../../chain/certificate";
import { ChainsmithInputError } from "../../chain/errors";
import { DISTRUST_SOURCES, InventoryBinding, LeafStore, SSL_FLAGS, Step } from "./contract";
import { HostInventory } from "./inventory";

export interface BindingSpec {
  /** IIS site name, e.g. "Default Web Site". */
  site: string;
  port: number;
  /** "*" (default) or one address. */
  ip?: string;
  /** Host name for an SNI binding; "" or absent for an IP binding. */
  host?: string;
}

export interface WindowsPlanInput {
  /** Leaf first, then intermediates and cross-signs; no root. */
  desiredChain: readonly Certificate[];
  binding: BindingSpec;
  /** Where the leaf and its key go (default My). */
  leafStore?: LeafStore;
  /** Mark the imported key exportable (default false). */
  exportableKey?: boolean;
  /** Set DisableRootAutoUpdate=1 (opt-in: the host then stops receiving new roots). */
  disableRootAutoUpdate?: boolean;
  /** Other certificates known to exist (the user's pool, Microsoft's program list): the self-signed twins to add to Disallowed even when absent. */
  knownCertificates?: readonly Certificate[];
}

export interface PlannedStep {
  step: Step;
  /** Why, in words, for the preview. */
  why: string;
}

export interface WindowsPlan {
  steps: PlannedStep[];
  /** The binding step, for the verification ladder's "recreate binding" rung. */
  bindingStep: Extract<Step, { kind: "replaceBinding" }>;
}

export function planWindowsTarget(input: WindowsPlanInput, inventory: HostInventory): WindowsPlan {
  const [leaf, ...issuers] = input.desiredChain;
  if (!leaf) throw new ChainsmithInputError("empty-chain", "The desired chain is empty: give at least the leaf.");
  const binding = normalizeBinding(input.binding);
  checkSite(binding, inventory);
  const existing = findBinding(inventory.bindings, binding);
  checkConflicts(binding, inventory, existing);

  const steps: PlannedStep[] = [];
  for (const cert of issuers) {
    if (!inventory.isIn(cert, "CA")) {
      steps.push({ step: { kind: "importCertificate", store: "CA", thumbprint: cert.sha1, derBase64: cert.der.toString("base64") }, why: `${cert.label} is part of the desired chain: import it into LocalMachine\\CA` });
    }
  }
  steps.push(...distrustSteps(issuers, inventory, input.knownCertificates ?? []));
  steps.push(...staleSteps(issuers, inventory));

  const leafStore = input.leafStore ?? "My";
  if (!inventory.hasPrivateKey(leaf, leafStore)) {
    steps.push({ step: { kind: "importPfx", store: leafStore, thumbprint: leaf.sha1, exportable: input.exportableKey ?? false }, why: `${leaf.label} with its key is not in LocalMachine\\${leafStore}: import the leaf-only PFX` });
  }
  const sslFlags = flagsFor(binding, existing);
  const bindingStep: WindowsPlan["bindingStep"] = { kind: "replaceBinding", ...binding, sslFlags, certificateHash: leaf.sha1, certificateStore: leafStore };
  const ccs = (sslFlags & SSL_FLAGS.centralCertStore) !== 0;
  const bound = existing && (ccs || (existing.certificateHash === leaf.sha1 && existing.certificateStore.toLowerCase() === leafStore.toLowerCase()));
  if (!bound) {
    steps.push({ step: bindingStep, why: existing ? `the binding ${bindingLabel(binding)} serves ${existing.certificateHash || "nothing"}: replace it (sslFlags ${sslFlags} kept)` : `no https binding ${bindingLabel(binding)} yet: add it` });
  }
  steps.push(...oldLeafSteps(leaf, existing, binding, inventory));
  if (input.disableRootAutoUpdate && !inventory.raw.rootAutoUpdateDisabled) {
    steps.push({ step: { kind: "disableRootAutoUpdate" }, why: "opted in: stop automatic root update (the host stops receiving new roots)" });
  }
  return { steps, bindingStep };
}

function distrustSteps(issuers: readonly Certificate[], inventory: HostInventory, known: readonly Certificate[]): PlannedStep[] {
  const crossSigned = issuers.filter((c) => !c.selfSigned);
  const candidates = uniqueCertificates([...inventory.certificates.values(), ...known]);
  const twins = candidates.filter((c) => c.selfSigned && crossSigned.some((x) => x.isSameEntityAs(c)));
  const steps: PlannedStep[] = [];
  for (const twin of twins) {
    const sources = DISTRUST_SOURCES.filter((s) => inventory.isIn(twin, s));
    const why = `self-signed ${twin.label} has the subject and key of a cross-signed certificate in the desired chain: Windows would build the short chain through it`;
    let inDisallowed = inventory.isIn(twin, "Disallowed");
    for (const from of sources) {
      if (inDisallowed) steps.push({ step: { kind: "removeCertificate", store: from, thumbprint: twin.sha1 }, why: `${why}; already in Disallowed, take it out of ${from}` });
      else steps.push({ step: { kind: "moveToDisallowed", from, thumbprint: twin.sha1 }, why: `${why}; move it from ${from} to Disallowed` });
      inDisallowed = true;
    }
    if (!inDisallowed) {
      steps.push({ step: { kind: "addToDisallowed", thumbprint: twin.sha1, derBase64: twin.der.toString("base64") }, why: `${why}; add it to Disallowed although absent, so automatic root update cannot bring it back` });
    }
  }
  return steps;
}

function staleSteps(issuers: readonly Certificate[], inventory: HostInventory): PlannedStep[] {
  const desired = new Set(issuers.map((c) => c.sha256));
  const steps: PlannedStep[] = [];
  for (const cert of inventory.in("CA", "SYSTEM:CA")) {
    if (desired.has(cert.sha256) || cert.selfSigned) continue;
    const twin = issuers.find((d) => d.isSameEntityAs(cert) || (d.subjectKeyId !== undefined && d.subjectKeyId === cert.subjectKeyId));
    if (!twin) continue;
    for (const store of (["CA", "SYSTEM:CA"] as const).filter((s) => inventory.isIn(cert, s))) {
      steps.push({ step: { kind: "removeCertificate", store, thumbprint: cert.sha1 }, why: `stale ${cert.label} shares its key with ${twin.label} of the desired chain and could be chosen instead: remove it from ${store}` });
    }
  }
  return steps;
}

function oldLeafSteps(leaf: Certificate, existing: InventoryBinding | undefined, binding: Required<BindingSpec>, inventory: HostInventory): PlannedStep[] {
  if (!existing || !existing.certificateHash || existing.certificateHash === leaf.sha1) return [];
  const old = inventory.byThumbprint(existing.certificateHash);
  if (!old) return [];
  const users = inventory.bindings.filter((b) => b.certificateHash === existing.certificateHash && !sameBinding(b, binding));
  if (users.length > 0) return [];
  return (["My", "WebHosting"] as const)
    .filter((s) => inventory.isIn(old, s))
    .map((store) => ({ step: { kind: "removeCertificate", store, thumbprint: old.sha1 }, why: `the old leaf ${old.label} is no longer bound anywhere: remove it from ${store}` }));
}

function normalizeBinding(spec: BindingSpec): Required<BindingSpec> {
  if (!spec.site) throw new ChainsmithInputError("windows-binding-site", "binding.site is empty: name the IIS site, e.g. \"Default Web Site\".");
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) throw new ChainsmithInputError("windows-binding-port", `binding.port ${spec.port} is not a TCP port (1-65535).`);
  return { site: spec.site, port: spec.port, ip: spec.ip ?? "*", host: spec.host ?? "" };
}

function checkSite(binding: Required<BindingSpec>, inventory: HostInventory): void {
  if (inventory.raw.sites.includes(binding.site)) return;
  throw new ChainsmithInputError(
    "windows-site-missing",
    `IIS site '${binding.site}' does not exist on ${inventory.computerName} (sites: ${inventory.raw.sites.join(", ") || "none"}). Create the site first, or fix binding.site.`,
  );
}

function checkConflicts(binding: Required<BindingSpec>, inventory: HostInventory, existing: InventoryBinding | undefined): void {
  const other = inventory.bindings.find((b) => b !== existing && b.site !== binding.site && b.ip === binding.ip && b.port === binding.port && b.host === binding.host);
  if (!other) return;
  throw new ChainsmithInputError(
    "windows-binding-conflict",
    `${bindingLabel(binding)} is already bound by site '${other.site}' to certificate ${other.certificateHash || "(CCS)"}. ` +
      `Use another port or host name, or remove that binding from '${other.site}' first.`,
  );
}

/** Existing flags kept; SNI set for a host-name binding and cleared for an IP binding. */
function flagsFor(binding: Required<BindingSpec>, existing: InventoryBinding | undefined): number {
  const flags = existing?.sslFlags ?? 0;
  return binding.host ? flags | SSL_FLAGS.sni : flags & ~SSL_FLAGS.sni;
}

function findBinding(bindings: readonly InventoryBinding[], binding: Required<BindingSpec>): InventoryBinding | undefined {
  return bindings.find((b) => sameBinding(b, binding));
}

function sameBinding(b: InventoryBinding, binding: Required<BindingSpec>): boolean {
  return b.site === binding.site && b.ip === binding.ip && b.port === binding.port && b.host === binding.host;
}

function bindingLabel(binding: Required<BindingSpec> | InventoryBinding): string {
  return `https ${binding.ip}:${binding.port}${binding.host ? `:${binding.host}` : ""} of '${binding.site}'`;
}
