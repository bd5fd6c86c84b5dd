/**
 * The simulated host's apply: every step checked before any runs (a refused apply changes
 * nothing), then run as agent.ps1 runs it against Windows: X509Store.Add replaces a copy
 * and links the new key; a physical store is written only where Windows lets it (Group
 * Policy and Enterprise stores refuse); the http.sys entry is updated in place and put back
 * when the update fails; the steps done so far are reported with a failure.
 */
import * as crypto from "node:crypto";
import { Certificate } from "../../../chain/certificate";
import { readPfx } from "../../../chain/pfx-read";
import { factsOf, sameEntity } from "../../../providers/windows/certificate-facts";
import { AgentRequest, IIS_APP_ID, InventoryBinding, POLICY_STORES, Step, StoreName } from "../../../providers/windows/contract";
import { Refusal, SimulatedWindowsHost, bindingInformation, endpointOf } from "./host-model";

type Apply = Extract<AgentRequest, { verb: "apply" }>;

/** Runs an apply; `done` receives each step's line as it finishes (reported with a failure too). */
export function applySteps(host: SimulatedWindowsHost, request: Apply, done: string[]): string[] {
  const pfxImports = request.steps.filter((s) => s.kind === "importPfx").map((s) => ("thumbprint" in s ? s.thumbprint : ""));
  const after = bindingsAfter(host, request.steps);
  for (const step of request.steps) check(host, step, request, after, pfxImports);
  for (const step of request.steps) done.push(run(host, step, request));
  return [...done];
}

function check(host: SimulatedWindowsHost, step: Step, request: Apply, after: InventoryBinding[], pfxImports: string[]): void {
  switch (step.kind) {
    case "importCertificate":
      writable(step.store);
      fromDer(step.derBase64, step.thumbprint);
      return;
    case "moveToDisallowed": {
      writable(step.from);
      const found = host.stores.get(step.from)!.get(step.thumbprint);
      if (found) assertSelfSigned(found.cert);
      return;
    }
    case "addToDisallowed":
      assertSelfSigned(fromDer(step.derBase64, step.thumbprint));
      return;
    case "distrustStaleTwin": {
      const stale = factsOf(fromDer(step.derBase64, step.thumbprint));
      const kept = host.certs("CA", "CA:GroupPolicy", "CA:Enterprise").find((c) => c.sha1 === step.keptTwin);
      if (step.thumbprint === step.keptTwin || !kept || !(sameEntity(factsOf(kept), stale) || (kept.subjectKeyId === stale.subjectKeyId && factsOf(kept).keyHash === stale.keyHash))) {
        throw new Refusal("refused-not-stale-twin", `Refused to distrust ${stale.subject} [${step.thumbprint}]: no certificate ${step.keptTwin} with its name and key stays in CA to take its place.`);
      }
      return;
    }
    case "removeCertificate": {
      writable(step.store);
      if (step.store !== "My" && step.store !== "WebHosting") return;
      const user = after.find((b) => b.certificateHash === step.thumbprint);
      if (user) throw new Refusal("refused-in-use", `Refused to remove ${step.thumbprint} from ${step.store}: the https binding ${user.ip}:${user.port}:${user.host} of site '${user.site}' still uses it.`);
      const other = host.inventoryUsers(step.thumbprint)[0];
      if (other) throw new Refusal("refused-in-use", `Refused to remove ${step.thumbprint} from ${step.store}: ${other} uses it.`);
      return;
    }
    case "importPfx":
      openPfx(host, request, step.thumbprint);
      return;
    case "replaceBinding": {
      if (!/^([a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*)?$/.test(step.host) || !/^(\*|[0-9]{1,3}(\.[0-9]{1,3}){3}|\[[0-9a-f:.]+\])$/.test(step.ip)) {
        throw new Refusal("bad-step", `The binding ${step.ip}:${step.port}:${step.host} is not an address, a port and a host name.`);
      }
      if (!host.sites.includes(step.site)) throw new Refusal("site-missing", `IIS site '${step.site}' does not exist. Sites: ${host.sites.join(", ")}.`);
      const other = host.bindings().find((b) => b.site !== step.site && bindingInformation(b) === bindingInformation(step));
      if (other) throw new Refusal("binding-conflict", `${bindingInformation(step)} is already bound by site '${other.site}' to certificate ${other.certificateHash}.`);
      if ((step.sslFlags & 2) === 0 && !pfxImports.includes(step.certificateHash) && !host.stores.get(step.certificateStore)!.get(step.certificateHash)?.key) {
        throw new Refusal("certificate-key-unusable", `Refused to bind ${step.certificateHash}: it is not in LocalMachine\\${step.certificateStore} with a private key that opens. The binding was left as it was.`);
      }
      return;
    }
    case "flushChainCaches":
    case "iisreset":
    case "restartHttpService":
    case "disableRootAutoUpdate":
      return;
    default:
      throw new Refusal("bad-step", `Unknown step kind '${(step as { kind: string }).kind}'.`);
  }
}

function run(host: SimulatedWindowsHost, step: Step, request: Apply): string {
  host.applied.push(step.kind);
  switch (step.kind) {
    case "importCertificate":
      if (host.has(step.store, fromDer(step.derBase64, step.thumbprint))) return `${step.thumbprint} already in ${step.store}`;
      host.addCertificate(step.store, fromDer(step.derBase64, step.thumbprint));
      return `imported ${step.thumbprint} into ${step.store}`;
    case "moveToDisallowed": {
      const found = host.stores.get(step.from)!.get(step.thumbprint);
      if (!found) return `${step.thumbprint} not in ${step.from}`;
      host.addCertificate("Disallowed", found.cert);
      host.stores.get(step.from)!.delete(step.thumbprint);
      return `moved ${step.thumbprint} from ${step.from} to Disallowed`;
    }
    case "addToDisallowed":
    case "distrustStaleTwin": {
      const cert = fromDer(step.derBase64, step.thumbprint);
      if (host.has("Disallowed", cert)) return `${step.thumbprint} already in Disallowed`;
      host.addCertificate("Disallowed", cert);
      return step.kind === "addToDisallowed" ? `added ${step.thumbprint} to Disallowed` : `distrusted the stale ${step.thumbprint} (its twin ${step.keptTwin} stays in CA)`;
    }
    case "removeCertificate":
      return host.stores.get(step.store)!.delete(step.thumbprint) ? `removed ${step.thumbprint} from ${step.store}` : `${step.thumbprint} not in ${step.store}`;
    case "importPfx": {
      // X509Store.Add: replaces a copy already there (one without its key included) and links the key.
      const { cert, key } = openPfx(host, request, step.thumbprint);
      host.addCertificate(step.store, cert, key);
      return `imported the PFX of ${step.thumbprint} into ${step.store} (key exportable: ${step.exportable})`;
    }
    case "replaceBinding":
      return replaceBinding(host, step);
    case "flushChainCaches":
      if (host.refreshes("flush")) host.refreshAll();
      return "flushed the machine chain cache and the SYSTEM account's URL cache";
    case "iisreset":
      // iisreset restarts IIS's worker processes: http.sys and Schannel's credential cache keep running.
      return "restarted IIS (every site; http.sys and its credential cache keep running)";
    case "restartHttpService":
      if (host.refreshes("httpRestart")) host.refreshAll();
      return "restarted the HTTP service and 1 services that use it (W3SVC)";
    case "disableRootAutoUpdate":
      host.rootAutoUpdateDisabled = true;
      return "set DisableRootAutoUpdate=1 (this host no longer receives new roots automatically)";
  }
}

function replaceBinding(host: SimulatedWindowsHost, step: Extract<Step, { kind: "replaceBinding" }>): string {
  const info = bindingInformation(step);
  const existing = host.iisBindings.find((b) => b.site === step.site && bindingInformation(b) === info);
  const before = existing ? { ...existing } : undefined;
  if (existing) existing.sslFlags = step.sslFlags;
  else host.iisBindings.push({ site: step.site, ip: step.ip, port: step.port, host: step.host, sslFlags: step.sslFlags });
  if (step.sslFlags & 2) return `bound ${info} of '${step.site}' to the Central Certificate Store (sslFlags ${step.sslFlags})`;
  const endpoint = endpointOf(step);
  const previous = host.httpSysEntry(endpoint);
  if (host.failAddSslCertificate) {
    // The update failed; the agent puts the previous entry, flags and binding back.
    if (before && existing) existing.sslFlags = before.sslFlags;
    else host.iisBindings = host.iisBindings.filter((b) => !(b.site === step.site && bindingInformation(b) === info));
    throw new Refusal("command-failed", `netsh.exe http ${previous ? "update" : "add"} sslcert ${endpoint.kind}=${endpoint.endpoint} failed (1): SSL Certificate add failed, Error: 1312 A specified logon session does not exist. The previous binding of ${info} was restored.`);
  }
  host.setHttpSys({ ...endpoint, certificateHash: step.certificateHash, certificateStore: step.certificateStore, appId: previous?.appId ?? IIS_APP_ID, settings: previous?.settings ?? {} }, false);
  return `bound ${info} of '${step.site}' to ${step.certificateHash} in ${step.certificateStore} (sslFlags ${step.sslFlags})`;
}

function bindingsAfter(host: SimulatedWindowsHost, steps: Step[]): InventoryBinding[] {
  let after = host.bindings();
  for (const step of steps) {
    if (step.kind !== "replaceBinding") continue;
    const { kind: _kind, ...binding } = step;
    after = [...after.filter((b) => !(b.site === binding.site && bindingInformation(b) === bindingInformation(binding))), binding];
  }
  return after;
}

function openPfx(host: SimulatedWindowsHost, request: Apply, thumbprint: string): { cert: Certificate; key: crypto.KeyObject } {
  if (!request.pfx) throw new Refusal("pfx-missing", "An importPfx step was sent without a PFX.");
  if (host.failPfxImport) throw new Refusal("pfx-import-failed", "The PFX could not be imported: access to the machine key store was denied. Nothing was changed.");
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

function writable(store: StoreName): void {
  if ((POLICY_STORES as readonly string[]).includes(store)) throw new Refusal("bad-step", `${store} is managed by policy or unknown: chainsmith does not write it.`);
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
