/**
 * The inventory as it will be once a plan's steps are applied, so the engine model can say
 * on preview what IIS will serve after `pulumi up` ("IIS serves now: ...; after apply: ...").
 */
import { Certificate } from "../../chain/certificate";
import { Inventory, StoreName, Step } from "./contract";
import { HostInventory, certificateFacts } from "./inventory";

export function projectInventory(inventory: HostInventory, steps: readonly Step[], leaf: Certificate): HostInventory {
  const raw: Inventory = structuredClone(inventory.raw);
  const find = (thumbprint: string) => inventory.byThumbprint(thumbprint) ?? (leaf.sha1 === thumbprint ? leaf : undefined);
  const without = (store: StoreName, thumbprint: string) => {
    raw.certificates = raw.certificates.filter((c) => !(c.store === store && c.thumbprint === thumbprint));
  };
  const add = (store: StoreName, cert: Certificate, hasPrivateKey = false) => {
    without(store, cert.sha1);
    raw.certificates.push(certificateFacts(cert, store, hasPrivateKey));
  };
  for (const step of steps) {
    switch (step.kind) {
      case "importCertificate":
      case "addToDisallowed":
        add(step.kind === "addToDisallowed" ? "Disallowed" : step.store, Certificate.fromDer(Buffer.from(step.derBase64, "base64")));
        break;
      case "moveToDisallowed": {
        const cert = find(step.thumbprint);
        if (cert) add("Disallowed", cert);
        without(step.from, step.thumbprint);
        break;
      }
      case "removeCertificate":
        without(step.store, step.thumbprint);
        break;
      case "importPfx":
        add(step.store, leaf, true);
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
        break;
      default:
        // Every step kind of contract.ts has its effect here: a new kind fails to compile until it does.
        return unknownStep(step);
    }
  }
  return new HostInventory(raw);
}

function unknownStep(step: never): never {
  throw new Error(`projectInventory: no effect modelled for step ${JSON.stringify(step)}`);
}
