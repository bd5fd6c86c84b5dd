/**
 * Drift on a Windows host, in words a person can act on: what the planner would change on
 * the live host now (each step is something that moved away from the deployment), and what
 * Windows itself builds if that is not the desired chain.
 *   "self-signed Sectigo Public Server Authentication Root R46 [..] is back in Root:
 *    Windows builds the short chain"
 */
import { Certificate } from "../../chain/certificate";
import { windowsLabel } from "./certificate-facts";
import { ChainReport } from "./contract";
import { describeChain } from "./chain-engine-model";
import { HostInventory } from "./inventory";
import { PlannedStep } from "./planner";

export function explainWindowsDrift(desired: readonly Certificate[], inventory: HostInventory, steps: readonly PlannedStep[], windows: ChainReport): string[] {
  const reasons = steps.map((planned) => reasonFor(planned, inventory));
  const trusted = windows.status.length === 0;
  const labels = new Map([...inventory.certificates.map((c) => [c.sha256, c.label] as const), ...desired.map((c) => [c.sha256, c.label] as const)]);
  const built = windows.elements.map((e) => ({ sha256: e.sha256, label: labels.get(e.sha256) ?? windowsLabel(e.subject, e.sha256) }));
  const served = trusted ? built.slice(0, -1) : built;
  if (served.map((c) => c.sha256).join() !== desired.map((c) => c.sha256).join()) {
    const what = trusted ? describeChain(served.map((c) => c.label), built[built.length - 1]?.label) : `${describeChain(built.map((c) => c.label))} (${windows.status.join(", ")})`;
    reasons.push(`Windows builds ${what}, not the desired ${describeChain(desired.map((c) => c.label))}`);
  }
  return reasons;
}

function reasonFor({ step, why }: PlannedStep, inventory: HostInventory): string {
  const cert = "thumbprint" in step ? inventory.byThumbprint(step.thumbprint) : undefined;
  const name = cert ? (cert.cert?.commonName ?? cert.label.replace(/ \[\w+\]$/, "")) : undefined;
  switch (step.kind) {
    case "moveToDisallowed":
      return `self-signed ${name} is back in ${step.from}: Windows builds the short chain`;
    case "addToDisallowed":
      return `self-signed ${name ?? step.thumbprint} is no longer in Disallowed: automatic root update can bring it back`;
    case "importCertificate":
      return `${step.thumbprint} of the desired chain is missing from LocalMachine\\CA`;
    case "importPfx":
      return `the leaf ${step.thumbprint} with a usable key is missing from LocalMachine\\${step.store}`;
    case "replaceBinding":
      return `the https binding ${step.ip}:${step.port}:${step.host} of '${step.site}' no longer uses ${step.certificateHash}`;
    default:
      return why;
  }
}
