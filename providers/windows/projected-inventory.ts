/**
 * The inventory as it will be once a plan's steps are applied, so the engine model can say
 * on preview what IIS will serve after `pulumi up` ("IIS serves now: ...; after apply: ...").
 */
import { Certificate } from "../../chain/certificate";
import { HostCertificate, factsOf } from "./certificate-facts";
import { Inventory, InventoryCertificate, StoreName, Step } from "./contract";
import { HostInventory } from "./inventory";

export function projectInventory(inventory: HostInventory, steps: readonly Step[], leaf: Certificate): HostInventory {
  const raw: Inventory = structuredClone(inventory.raw);
  const facts = (thumbprint: string): HostCertificate | undefined => inventory.byThumbprint(thumbprint) ?? (leaf.sha1 === thumbprint ? factsOf(leaf) : undefined);
  const without = (store: StoreName, thumbprint: string) => {
    raw.placements = raw.placements.filter((p) => !(p.store === store && p.thumbprint === thumbprint));
  };
  const add = (store: StoreName, cert: HostCertificate, hasPrivateKey = false) => {
    without(store, cert.thumbprint);
    raw.placements.push({ store, thumbprint: cert.thumbprint, hasPrivateKey });
    if (!raw.certificates.some((c) => c.thumbprint === cert.thumbprint)) raw.certificates.push(plainFacts(cert));
  };
  const fromDer = (derBase64: string) => factsOf(Certificate.fromDer(Buffer.from(derBase64, "base64")));
  for (const step of steps) {
    switch (step.kind) {
      case "importCertificate":
        add(step.store, fromDer(step.derBase64));
        break;
      case "addToDisallowed":
      case "distrustStaleTwin":
        add("Disallowed", fromDer(step.derBase64));
        break;
      case "moveToDisallowed": {
        const cert = facts(step.thumbprint);
        if (cert) add("Disallowed", cert);
        without(step.from, step.thumbprint);
        break;
      }
      case "removeCertificate":
        without(step.store, step.thumbprint);
        break;
      case "importPfx":
        add(step.store, factsOf(leaf), true);
        break;
      case "replaceBinding": {
        const { kind: _kind, ...binding } = step;
        raw.bindings = raw.bindings.filter((b) => !(b.site === binding.site && b.ip === binding.ip && b.port === binding.port && b.host === binding.host));
        raw.bindings.push(binding);
        break;
      }
      case "disableRootAutoUpdate":
        raw.rootAutoUpdateDisabled = true;
        break;
      case "flushChainCaches":
      case "iisreset":
      case "restartHttpService":
        break;
      default:
        // Every step kind of contract.ts has its effect here: a new kind fails to compile until it does.
        return unknownStep(step);
    }
  }
  return new HostInventory(raw, inventory.known);
}

/** The contract's fields only (no label, no parsed certificate), as an agent would report them. */
function plainFacts(cert: HostCertificate): InventoryCertificate {
  const { label: _label, cert: _cert, ...facts } = cert;
  return facts;
}

function unknownStep(step: never): never {
  throw new Error(`projectInventory: no effect modelled for step ${JSON.stringify(step)}`);
}
