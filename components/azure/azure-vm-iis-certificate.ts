/**
 * The agent on an Azure VM through VM Run Command (compute.VirtualMachineRunCommandByVirtualMachine),
 * no SSH needed. Three runs of agent.ps1, each read back with $expand=instanceView:
 *   inventory -> (planner, in TypeScript) -> apply -> chain (what Windows builds).
 * Designed for what Run Command does to a script (FACTS.md):
 * - The instance view keeps only the last 4,096 bytes of output: every request sets
 *   outputLimit, the inventory asks only for what the plan needs (inventory-focus.ts), the
 *   chain report carries no DER, and an answer that still does not fit says so instead of
 *   being cut.
 * - Parameters pass through a cmd.exe command line (split at spaces, quotes stripped,
 *   ^ & % < > | consumed, 8,191 characters at most): the request rides inside the script,
 *   base64; the PFX rides there too, sealed, and only its 64-hex-digit key is a (protected)
 *   parameter.
 * - An identical PUT does not run again: the request (with runToken) is part of the script,
 *   so a changed plan, leaf or token re-runs the command, and nothing else does (the PFX and
 *   its seal are deterministic for a leaf and key).
 * Run Command has no read on preview, so drift shows only when the inventory runs again:
 * change `runToken` (for example to the date) to re-read the host.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as azure from "@pulumi/azure-native";
import { Certificate } from "../../chain/certificate";
import { ChainsmithInputError } from "../../chain/errors";
import { assertKeyMatchesLeaf, parsePrivateKey } from "../../chain/key";
import { parseCertificates } from "../../chain/parse";
import { agentScriptWith, parseAgentOutput, resultOf } from "../../providers/windows/agent-invocation";
import { normalizeBinding } from "../../providers/windows/binding-spec";
import { windowsLabel } from "../../providers/windows/certificate-facts";
import { AgentRequest, AgentResult, ApplyReport, ChainReport, Inventory } from "../../providers/windows/contract";
import { HostInventory } from "../../providers/windows/inventory";
import { pfxPayload, sealPfx } from "../../providers/windows/pfx-payload";
import { WindowsPlanInput } from "../../providers/windows/planner";
import { PredictionInputs, focusOf, knownCertificates, previewFrom } from "../../providers/windows/windows-target";

export interface AzureVmIisCertificateArgs extends Omit<WindowsPlanInput, "desiredChain" | "knownCertificates">, PredictionInputs {
  resourceGroupName: pulumi.Input<string>;
  vmName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** PEM chain to serve, leaf first, no root; may come from another resource. */
  chain: pulumi.Input<string>;
  /** The leaf's private key (made a secret here). */
  privateKey: pulumi.Input<string>;
  /** PEM of other certificates known to exist (the pool): self-signed twins to distrust even when absent. */
  knownCertificates?: pulumi.Input<string | undefined>;
  /** Change it to make the inventory (and so the plan) run again. */
  runToken?: pulumi.Input<string>;
  /** Per run; default 600. */
  timeoutInSeconds?: number;
}

/** What Run Command's instance view keeps of a command's output. */
export const RUN_COMMAND_OUTPUT_LIMIT = 4096;

type RunCommand = azure.compute.VirtualMachineRunCommandByVirtualMachine;

export class AzureVmIisCertificate extends pulumi.ComponentResource {
  readonly inventoryRun: RunCommand;
  readonly applyRun: RunCommand;
  readonly chainRun: RunCommand;
  /** "IIS serves now: ...; after apply: ..." from the inventory. */
  readonly preview: pulumi.Output<string>;
  /** What the agent did, one line per step. */
  readonly done: pulumi.Output<string[]>;
  /** What X509Chain.Build gives on the VM after the apply (labels, leaf to root). */
  readonly windowsBuilds: pulumi.Output<string[]>;
  /** Windows builds the desired chain (the served chain still needs a check from the wire). */
  readonly matchesDesired: pulumi.Output<boolean>;

  constructor(name: string, args: AzureVmIisCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chainsmith:windows:AzureVmIisCertificate", name, {}, opts);
    const binding = normalizeBinding(args.binding);
    const vm = { resourceGroupName: args.resourceGroupName, vmName: args.vmName, location: args.location };
    const timeoutInSeconds = args.timeoutInSeconds ?? 600;
    const where = (runName: string) => pulumi.interpolate`Azure Run Command ${runName} on ${args.vmName}`;
    const run = (suffix: string, script: pulumi.Input<string>, extra: Partial<azure.compute.VirtualMachineRunCommandByVirtualMachineArgs> = {}, runOpts: pulumi.CustomResourceOptions = {}) => {
      const runCommandName = `chainsmith-${name}-${suffix}`;
      return new azure.compute.VirtualMachineRunCommandByVirtualMachine(
        runCommandName,
        { ...vm, runCommandName, source: { script }, treatFailureAsDeploymentFailure: true, asyncExecution: false, timeoutInSeconds, ...extra },
        { parent: this, ...runOpts },
      );
    };
    const answer = <T extends AgentResult>(resource: RunCommand, runName: string) =>
      pulumi
        .all([azure.compute.getVirtualMachineRunCommandByVirtualMachineOutput({ resourceGroupName: args.resourceGroupName, vmName: args.vmName, runCommandName: resource.name, expand: "instanceView" }, { parent: this }), where(runName)])
        .apply(([got, w]) => resultOf<T>(parseAgentOutput(got.instanceView?.output ?? "", got.instanceView?.error ?? "", w, []), w, []));

    // PEM travels in Outputs (certificates are parsed where needed): the chain and pool may be unknown until other resources exist.
    const pems = pulumi.all([args.chain, args.knownCertificates, args.runToken ?? ""]).apply(([chain, known, token]) => ({ chain, known: known ?? "", token }));
    const specOf = (p: { chain: string; known: string }) => {
      const desiredChain = parseCertificates(p.chain, "chain");
      if (!desiredChain[0]) throw new ChainsmithInputError("empty-chain", "chain is empty: give at least the leaf.");
      return { ...args, binding, desiredChain, knownCertificates: p.known ? parseCertificates(p.known, "knownCertificates") : [] };
    };
    const request = (r: AgentRequest) => agentScriptWith({ ...r, outputLimit: RUN_COMMAND_OUTPUT_LIMIT });

    this.inventoryRun = run("inventory", pems.apply((p) => request({ verb: "inventory", focus: focusOf(specOf(p)), runToken: p.token })));
    const planned = pulumi.all([answer<Inventory>(this.inventoryRun, "inventory"), pems]).apply(([raw, p]) => {
      const spec = specOf(p);
      const { text, steps } = previewFrom(spec, new HostInventory(raw, knownCertificates(spec)));
      return { text, steps: steps.map((s) => s.step) };
    });
    this.preview = planned.apply((p) => p.text);

    // The PFX, sealed, only when the plan imports it; the seal's key is the one protected parameter.
    const sealed = pulumi.secret(
      pulumi.all([planned, pems, args.privateKey]).apply(([plan, p, keyPem]) => {
        if (!plan.steps.some((s) => s.kind === "importPfx")) return { script: request({ verb: "apply", steps: plan.steps }), key: "" };
        const leaf = specOf(p).desiredChain[0];
        const key = parsePrivateKey(keyPem, "privateKey");
        assertKeyMatchesLeaf(key, leaf);
        const seal = sealPfx(pfxPayload([leaf], key, "legacy"), key, leaf);
        return { script: request({ verb: "apply", steps: plan.steps, sealedPfx: seal.sealed }), key: seal.key };
      }),
    );
    this.applyRun = run(
      "apply",
      sealed.apply((s) => s.script),
      { protectedParameters: sealed.apply((s) => (s.key ? [{ name: "PayloadKey", value: s.key }] : [])) },
      { dependsOn: [this.inventoryRun] },
    );
    this.done = answer<ApplyReport>(this.applyRun, "apply").apply((r) => r.done);
    const afterApply = pulumi.all([this.applyRun.source, pems]).apply(([source, p]) => `${crypto.createHash("sha256").update(source?.script ?? "").digest("hex")}|${p.token}`);
    this.chainRun = run(
      "chain",
      pulumi.all([pems, afterApply]).apply(([p, token]) => request({ verb: "chain", thumbprint: specOf(p).desiredChain[0].sha1, runToken: token })),
      {},
      { dependsOn: [this.applyRun] },
    );
    const chain = pulumi.all([answer<ChainReport>(this.chainRun, "chain"), pems]).apply(([report, p]) => ({ report, desired: specOf(p).desiredChain }));
    this.windowsBuilds = chain.apply(({ report, desired }) => report.elements.map((e) => labelOf(e, desired)));
    this.matchesDesired = chain.apply(({ report, desired }) => report.status.length === 0 && report.elements.slice(0, -1).map((e) => e.sha256).join() === desired.map((d) => d.sha256).join());
    this.registerOutputs({ preview: this.preview, done: this.done, windowsBuilds: this.windowsBuilds, matchesDesired: this.matchesDesired });
  }
}

function labelOf(element: ChainReport["elements"][number], desired: readonly Certificate[]): string {
  return desired.find((d) => d.sha256 === element.sha256)?.label ?? windowsLabel(element.subject, element.sha256);
}
