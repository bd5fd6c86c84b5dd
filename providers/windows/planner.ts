/**
 * What to change on a Windows host so that IIS serves the desired chain: every decision,
 * from the desired chain and an inventory, as primitive steps for the agent, each with the
 * reason in words. Pure: no I/O, no clock.
 *
 * 1. Every intermediate and cross-sign of the desired chain goes to LocalMachine\CA.
 * 2. Every self-signed twin (same subject and key) of a cross-signed certificate in the
 *    desired chain goes to Disallowed (moved out of a writable store, or added even when
 *    absent, so automatic root update cannot bring it back). A twin already in Disallowed is
 *    done: Disallowed wins over every Root, Group Policy ones included.
 * 3. Stale issuers sharing subject and key with a desired one (Let's Encrypt X1/X3) are
 *    distrusted per certificate: removing them would not last (Windows fetches them again
 *    through the leaf's AIA URL).
 * 4. The leaf-only PFX is imported; the https binding is updated in place, its flags kept.
 * 5. The previously bound leaf goes only when asked, and only when nothing seen uses it.
 */
import { Certificate } from "../../chain/certificate";
import { ChainsmithInputError } from "../../chain/errors";
import { HostCertificate, factsOf, sameEntity } from "./certificate-facts";
import { BindingKey, DISALLOWED_STORES, DISTRUST_SOURCES, InventoryBinding, LeafStore, POLICY_STORES, SSL_FLAGS, Step } from "./contract";
import { HostInventory } from "./inventory";
import { normalizeBinding, type BindingSpec } from "./binding-spec";

export type { BindingSpec } from "./binding-spec";

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
  /** Remove the previously bound leaf once nothing seen uses it (opt-in: programs that keep a thumbprint in their own settings are not seen). */
  removeOldLeaf?: boolean;
  /** Other certificates known to exist (the user's pool, Microsoft's program list): twins to distrust even when absent. */
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

const CA_STORES = ["CA", "CA:GroupPolicy", "CA:Enterprise"] as const;
const ISSUER_STORES = [...CA_STORES, "SYSTEM:CA"] as const;

export function planWindowsTarget(input: WindowsPlanInput, inventory: HostInventory): WindowsPlan {
  const [leaf, ...issuers] = input.desiredChain;
  if (!leaf) throw new ChainsmithInputError("empty-chain", "The desired chain is empty: give at least the leaf.");
  const binding = normalizeBinding(input.binding);
  checkSite(binding, inventory);
  const existing = findBinding(inventory.bindings, binding);
  checkConflicts(binding, inventory, existing);

  const steps: PlannedStep[] = [];
  for (const cert of issuers) {
    if (!inventory.isIn(cert, ...CA_STORES)) {
      steps.push({ step: { kind: "importCertificate", store: "CA", thumbprint: cert.sha1, derBase64: cert.der.toString("base64") }, why: `${cert.label} is part of the desired chain: import it into LocalMachine\\CA` });
    }
  }
  const known = (input.knownCertificates ?? []).map(factsOf);
  steps.push(...distrustSteps(issuers, inventory, known));
  steps.push(...staleSteps(issuers, inventory, known));

  const leafStore = input.leafStore ?? "My";
  if (!inventory.hasPrivateKey(leaf, leafStore)) {
    const why = inventory.isIn(leaf, leafStore) ? "is there without a usable private key" : "with its key is not there";
    steps.push({ step: { kind: "importPfx", store: leafStore, thumbprint: leaf.sha1, exportable: input.exportableKey ?? false }, why: `${leaf.label} ${why} in LocalMachine\\${leafStore}: import the leaf-only PFX` });
  }
  const sslFlags = flagsFor(binding, existing);
  const bindingStep: WindowsPlan["bindingStep"] = { kind: "replaceBinding", ...binding, sslFlags, certificateHash: leaf.sha1, certificateStore: leafStore };
  const ccs = (sslFlags & SSL_FLAGS.centralCertStore) !== 0;
  const bound = existing && (ccs || (existing.certificateHash === leaf.sha1 && existing.certificateStore.toLowerCase() === leafStore.toLowerCase() && existing.sslFlags === sslFlags));
  if (!bound) {
    steps.push({ step: bindingStep, why: existing ? `the binding ${bindingLabel(binding)} serves ${existing.certificateHash || "nothing"}: update it in place (sslFlags ${sslFlags})` : `no https binding ${bindingLabel(binding)} yet: add it` });
  }
  if (input.removeOldLeaf) steps.push(...oldLeafSteps(leaf, existing, binding, inventory));
  if (input.disableRootAutoUpdate && !inventory.raw.rootAutoUpdateDisabled) {
    steps.push({ step: { kind: "disableRootAutoUpdate" }, why: "opted in: stop automatic root update (the host stops receiving new roots)" });
  }
  return { steps, bindingStep };
}

function distrustSteps(issuers: readonly Certificate[], inventory: HostInventory, known: readonly HostCertificate[]): PlannedStep[] {
  const crossSigned = issuers.filter((c) => !c.selfSigned).map(factsOf);
  const twins = uniqueFacts([...inventory.certificates, ...known]).filter((c) => c.selfSigned && crossSigned.some((x) => sameEntity(x, c)));
  const steps: PlannedStep[] = [];
  for (const twin of twins) {
    if (inventory.isIn(twin, ...DISALLOWED_STORES)) continue;
    const why = `self-signed ${twin.label} has the subject and key of a cross-signed certificate in the desired chain: Windows would build the short chain through it`;
    const from = DISTRUST_SOURCES.find((s) => inventory.isIn(twin, s));
    const policy = POLICY_STORES.filter((s) => inventory.isIn(twin, s));
    if (from) {
      steps.push({ step: { kind: "moveToDisallowed", from, thumbprint: twin.thumbprint }, why: `${why}; move it from ${from} to Disallowed` });
    } else {
      const absent = policy.length > 0 ? `; it comes from ${policy.join(", ")} (Group Policy or Active Directory: it cannot be deleted), and Disallowed overrides it there` : "; add it to Disallowed although absent, so automatic root update cannot bring it back";
      steps.push({ step: { kind: "addToDisallowed", thumbprint: twin.thumbprint, derBase64: derOf(twin) }, why: `${why}${absent}` });
    }
  }
  return steps;
}

function staleSteps(issuers: readonly Certificate[], inventory: HostInventory, known: readonly HostCertificate[]): PlannedStep[] {
  const desired = issuers.map(factsOf);
  const desiredIds = new Set(desired.map((d) => d.thumbprint));
  const onHost = inventory.in(...ISSUER_STORES);
  const steps: PlannedStep[] = [];
  for (const cert of uniqueFacts([...onHost, ...known.filter((k) => !k.selfSigned)])) {
    if (desiredIds.has(cert.thumbprint) || cert.selfSigned || inventory.isIn(cert, ...DISALLOWED_STORES)) continue;
    const twin = desired.find((d) => sameEntity(d, cert) || (d.subjectKeyId !== "" && d.subjectKeyId === cert.subjectKeyId));
    if (!twin) continue;
    const where = inventory.storesOf(cert).length > 0 ? `in ${inventory.storesOf(cert).join(", ")}` : "known to exist (Windows fetches it through AIA)";
    steps.push({
      step: { kind: "distrustStaleTwin", thumbprint: cert.thumbprint, derBase64: derOf(cert), keptTwin: twin.thumbprint },
      why: `stale ${cert.label} (${where}) shares its key with ${twin.label} of the desired chain and could be chosen instead: distrust this copy only (removing it would not last)`,
    });
  }
  return steps;
}

function oldLeafSteps(leaf: Certificate, existing: InventoryBinding | undefined, binding: BindingKey, inventory: HostInventory): PlannedStep[] {
  if (!existing || !existing.certificateHash || existing.certificateHash === leaf.sha1) return [];
  const old = inventory.byThumbprint(existing.certificateHash);
  if (!old) return [];
  const otherBindings = inventory.bindings.filter((b) => b.certificateHash === existing.certificateHash && !sameBinding(b, binding));
  if (otherBindings.length > 0 || inventory.usersOf(old.thumbprint).length > 0) return [];
  return (["My", "WebHosting"] as const)
    .filter((s) => inventory.isIn(old, s))
    .map((store) => ({ step: { kind: "removeCertificate", store, thumbprint: old.thumbprint }, why: `the old leaf ${old.label} is no longer used by an IIS binding, an http.sys entry or RDP: remove it from ${store}` }));
}

function derOf(cert: HostCertificate): string {
  if (cert.derBase64) return cert.derBase64;
  throw new ChainsmithInputError("windows-der-omitted", `${cert.label} must go to Disallowed, but its DER did not fit in the agent's output. Add it to knownCertificates (the pool), or run over SSH.`);
}

function uniqueFacts(certs: readonly HostCertificate[]): HostCertificate[] {
  const seen = new Map<string, HostCertificate>();
  for (const c of certs) if (!seen.has(c.thumbprint)) seen.set(c.thumbprint, c);
  return [...seen.values()];
}

function checkSite(binding: BindingKey, inventory: HostInventory): void {
  if (inventory.raw.sites.includes(binding.site)) return;
  throw new ChainsmithInputError(
    "windows-site-missing",
    `IIS site '${binding.site}' does not exist on ${inventory.computerName} (sites: ${inventory.raw.sites.join(", ") || "none"}). Create the site first, or fix binding.site.`,
  );
}

function checkConflicts(binding: BindingKey, inventory: HostInventory, existing: InventoryBinding | undefined): void {
  const other = inventory.bindings.find((b) => b !== existing && b.site !== binding.site && b.ip === binding.ip && b.port === binding.port && b.host === binding.host);
  if (!other) return;
  throw new ChainsmithInputError(
    "windows-binding-conflict",
    `${bindingLabel(binding)} is already bound by site '${other.site}' to certificate ${other.certificateHash || "(CCS)"}. ` +
      `Use another port or host name, or remove that binding from '${other.site}' first.`,
  );
}

/** Existing flags kept; SNI set for a host-name binding and cleared for an IP binding. */
function flagsFor(binding: BindingKey, existing: InventoryBinding | undefined): number {
  const flags = existing?.sslFlags ?? 0;
  return binding.host ? flags | SSL_FLAGS.sni : flags & ~SSL_FLAGS.sni;
}

function findBinding(bindings: readonly InventoryBinding[], binding: BindingKey): InventoryBinding | undefined {
  return bindings.find((b) => sameBinding(b, binding));
}

function sameBinding(b: BindingKey, binding: BindingKey): boolean {
  return b.site === binding.site && b.ip === binding.ip && b.port === binding.port && b.host === binding.host;
}

function bindingLabel(binding: BindingKey): string {
  return `https ${binding.ip}:${binding.port}${binding.host ? `:${binding.host}` : ""} of '${binding.site}'`;
}

