/**
 * Drift on a Windows host, in words a person can act on: what the planner would change on
 * the live host now (each step is something that moved away from the deployment), and what
 * Windows itself builds if that is not the desired chain.
 *   "self-signed Sectigo Public Server Authentication Root R46 [..] is back in Root:
 *    Windows builds the short chain"
 */
import { Certificate } from "../../chain/certificate";
import { ChainReport } from "./contract";
import { describeChain } from "./chain-engine-model";
import { HostInventory } from "./inventory";
import { PlannedStep } from "./planner";

export function explainWindowsDrift(desired: readonly Certificate[], inventory: HostInventory, steps: readonly PlannedStep[], windows: ChainReport): string[] {
  const reasons = steps.map((planned) => reasonFor(planned, inventory));
  const built = windows.elements.map((e) => Certificate.fromDer(Buffer.from(e.derBase64, "base64")));
  const trusted = windows.status.length === 0;
  const served = trusted ? built.slice(0, -1) : built;
  if (served.map((c) => c.sha256).join() !== desired.map((c) => c.sha256).join()) {
    const what = describeChain(served, trusted ? built[built.length - 1] : undefined);
    reasons.push(`Windows builds ${what}${trusted ? "" : ` (${windows.status.join(", ")})`}, not the desired ${describeChain(desired, undefined)}`);
  }
  return reasons;
}

function reasonFor({ step, why }: PlannedStep, inventory: HostInventory): string {
  const cert = "thumbprint" in step ? inventory.byThumbprint(step.thumbprint) : undefined;
  const name = cert?.commonName ?? cert?.subject;
  switch (step.kind) {
    case "moveToDisallowed":
      return `self-signed ${name} is back in ${step.from}: Windows builds the short chain`;
    case "addToDisallowed":
      return `self-signed ${step.thumbprint} is no longer in Disallowed: automatic root update can bring it back`;
    case "importCertificate":
      return `${step.thumbprint} of the desired chain is missing from LocalMachine\\CA`;
    case "importPfx":
      return `the leaf ${step.thumbprint} with its key is missing from LocalMachine\\${step.store}`;
    case "replaceBinding":
      return `the https binding ${step.ip}:${step.port}:${step.host} of '${step.site}' no longer uses ${step.certificateHash}`;
    default:
      return why;
  }
}
