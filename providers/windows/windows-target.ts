/**
 * One Windows IIS target from start to finish, over any transport: inventory (focused on
 * what the plan needs), plan, prediction ("IIS serves now: ...; after apply: ..."), apply
 * with the leaf-only PFX, then the verification ladder.
 */
import * as crypto from "node:crypto";
import { Certificate } from "../../chain/certificate";
import { type PfxProfile } from "../../chain/pfx-write";
import { probe } from "../../probe/probe";
import { AgentTransport, resultOf } from "./agent-invocation";
import { normalizeBinding } from "./binding-spec";
import { ApplyReport, Inventory, InventoryFocus } from "./contract";
import { EnginePrediction, predictServedChain } from "./chain-engine-model";
import { HostInventory } from "./inventory";
import { inventoryFocus } from "./inventory-focus";
import { pfxPayload } from "./pfx-payload";
import { PlannedStep, WindowsPlan, WindowsPlanInput, planWindowsTarget } from "./planner";
import { projectInventory } from "./projected-inventory";
import { LadderRung, ServedChainReader, climbLadder } from "./verification-ladder";

/** What the planner needs, plus the key, the endpoint to probe and the model's inputs. */
export interface WindowsTargetSpec extends Omit<WindowsPlanInput, "desiredChain" | "knownCertificates">, PredictionInputs {
  /** Leaf first, then intermediates and cross-signs; no root. */
  desiredChain: Certificate[];
  knownCertificates?: Certificate[];
  /** The leaf's private key (from a Pulumi secret); it leaves this process only inside the PFX. */
  key: crypto.KeyObject;
  /** Where clients connect, to read the served chain from the wire. */
  endpoint: { host: string; port: number; servername?: string };
  /** PFX encryption: "legacy" (3DES, default: Windows Server 2016 reads nothing else) or "modern". */
  pfxProfile?: PfxProfile;
  /** Allow the ladder's iisreset rung (it restarts every IIS site). */
  allowIisreset?: boolean;
  /** Allow the ladder's HTTP service restart (it restarts IIS, WinRM and every other http.sys user). */
  allowHttpServiceRestart?: boolean;
}

/** The engine model's inputs for "IIS serves now: ...; after apply: ...". */
export interface PredictionInputs {
  /** Microsoft's root program list (roots automatic update brings back). */
  programRoots?: Certificate[];
  /** Chain-building time (default now). */
  at?: Date;
}

export interface WindowsPreview {
  computerName: string;
  steps: PlannedStep[];
  now: EnginePrediction;
  after: EnginePrediction;
  /** "IIS serves now: ...; after apply: ...". */
  text: string;
}

export interface WindowsDeployReport extends WindowsPreview {
  /** What the agent did, one line per step. */
  done: string[];
  rungs: LadderRung[];
}

type InventorySpec = Pick<WindowsPlanInput, "desiredChain" | "binding" | "knownCertificates"> & PredictionInputs;

/** The certificates the program holds, for the focus's "known" list and for reading the answer. */
export function knownCertificates(spec: InventorySpec): Certificate[] {
  return [...spec.desiredChain, ...(spec.knownCertificates ?? []), ...(spec.programRoots ?? [])];
}

export function focusOf(spec: InventorySpec): InventoryFocus {
  return inventoryFocus(spec.desiredChain, normalizeBinding(spec.binding), knownCertificates(spec));
}

export async function readInventory(transport: AgentTransport, spec: InventorySpec): Promise<HostInventory> {
  const raw = resultOf<Inventory>(await transport.run({ verb: "inventory", focus: focusOf(spec) }), transport.where, []);
  return new HostInventory(raw, knownCertificates(spec));
}

export function previewFrom(spec: WindowsPlanInput & PredictionInputs, inventory: HostInventory): WindowsPreview & { plan: WindowsPlan } {
  const plan = planWindowsTarget(spec, inventory);
  const leaf = spec.desiredChain[0];
  const options = { at: spec.at ?? new Date(), programRoots: spec.programRoots ?? [] };
  const now = predictServedChain(inventory, leaf, options);
  const after = predictServedChain(projectInventory(inventory, plan.steps.map((p) => p.step), leaf), leaf, options);
  const text = `IIS serves now: ${now.summary}; after apply: ${after.summary}`;
  return { computerName: inventory.computerName, steps: plan.steps, now, after, text, plan };
}

export async function previewWindowsTarget(transport: AgentTransport, spec: WindowsTargetSpec): Promise<WindowsPreview> {
  const { plan: _plan, ...preview } = previewFrom(spec, await readInventory(transport, spec));
  return preview;
}

export async function deployWindowsTarget(transport: AgentTransport, spec: WindowsTargetSpec, readServed: ServedChainReader = probeEndpoint(spec.endpoint)): Promise<WindowsDeployReport> {
  const inventory = await readInventory(transport, spec);
  const { plan, ...preview } = previewFrom(spec, inventory);
  const steps = plan.steps.map((p) => p.step);
  let done: string[] = [];
  if (steps.length > 0) {
    const pfx = steps.some((s) => s.kind === "importPfx") ? pfxPayload([spec.desiredChain[0]], spec.key, spec.pfxProfile ?? "legacy") : undefined;
    const secrets = pfx ? [pfx.password, pfx.base64] : [];
    done = resultOf<ApplyReport>(await transport.run({ verb: "apply", steps, pfx }), transport.where, secrets).done;
  }
  const labels = new Map(inventory.certificates.map((c) => [c.sha256, c.label] as const));
  const rungs = await climbLadder({ transport, desired: spec.desiredChain, bindingStep: plan.bindingStep, readServed, allowIisreset: spec.allowIisreset, allowHttpServiceRestart: spec.allowHttpServiceRestart, labels });
  return { ...preview, done, rungs };
}

/** The served chain as the probe reads it from the wire. */
export function probeEndpoint(endpoint: WindowsTargetSpec["endpoint"]): ServedChainReader {
  return async () => (await probe(endpoint)).certificates;
}
