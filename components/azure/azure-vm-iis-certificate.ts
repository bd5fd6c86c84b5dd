/**
 * The agent on an Azure VM through VM Run Command (compute.VirtualMachineRunCommandByVirtualMachine),
 * no SSH needed. Three runs of the same agent.ps1, each read back with $expand=instanceView:
 *   inventory -> (planner, in TypeScript) -> apply -> chain (what Windows builds).
 * The PFX and its password travel only in protectedParameters. An identical PUT does not
 * re-run a command, so each carries a ContentHash parameter: a changed plan re-runs apply.
 * The inventory re-runs when the desired state or `runToken` changes (give a new token, e.g.
 * a date, to re-read the host: Run Command has no read on preview, so drift shows only then;
 * the SSH provider reads on every preview).
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as azure from "@pulumi/azure-native";
import { Certificate } from "../../chain/certificate";
import { ChainsmithInputError } from "../../chain/errors";
import { assertKeyMatchesLeaf, parsePrivateKey } from "../../chain/key";
import { parseCertificates } from "../../chain/parse";
import { writePfx } from "../../chain/pfx-write";
import { agentScript, parseAgentOutput, resultOf } from "../../providers/windows/agent-invocation";
import { AgentRequest, ApplyReport, ChainReport, Inventory } from "../../providers/windows/contract";
import { describeChain } from "../../providers/windows/chain-engine-model";
import { HostInventory } from "../../providers/windows/inventory";
import { WindowsPlanInput } from "../../providers/windows/planner";
import { PredictionInputs, previewFrom } from "../../providers/windows/windows-target";

export interface AzureVmIisCertificateArgs extends Omit<WindowsPlanInput, "desiredChain">, PredictionInputs {
  resourceGroupName: pulumi.Input<string>;
  vmName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** PEM chain to serve, leaf first, no root (plain: it names the resources). */
  chain: string;
  /** The leaf's private key (made a secret here). */
  privateKey: pulumi.Input<string>;
  /** Change it to make the inventory (and so the plan) run again. */
  runToken?: pulumi.Input<string>;
  /** Per run; default 600. */
  timeoutInSeconds?: number;
}

const RUN_COMMAND_TYPE = "chainsmith:windows:AzureVmIisCertificate";

export class AzureVmIisCertificate extends pulumi.ComponentResource {
  readonly inventoryRun: azure.compute.VirtualMachineRunCommandByVirtualMachine;
  readonly applyRun: azure.compute.VirtualMachineRunCommandByVirtualMachine;
  readonly chainRun: azure.compute.VirtualMachineRunCommandByVirtualMachine;
  /** "IIS serves now: ...; after apply: ..." from the inventory. */
  readonly preview: pulumi.Output<string>;
  /** What the agent did, one line per step. */
  readonly done: pulumi.Output<string[]>;
  /** What X509Chain.Build gives on the VM after the apply (labels, leaf to root). */
  readonly windowsBuilds: pulumi.Output<string[]>;
  /** Windows builds the desired chain (the served chain still needs a check from the wire). */
  readonly matchesDesired: pulumi.Output<boolean>;

  constructor(name: string, args: AzureVmIisCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RUN_COMMAND_TYPE, name, {}, opts);
    const desired = parseCertificates(args.chain, "chain");
    const leaf = desired[0];
    if (!leaf) throw new ChainsmithInputError("empty-chain", "chain is empty: give at least the leaf.");
    const vm = { resourceGroupName: args.resourceGroupName, vmName: args.vmName, location: args.location };
    const timeoutInSeconds = args.timeoutInSeconds ?? 600;
    const script = agentScript();
    const where = (runName: string) => pulumi.interpolate`Azure Run Command ${runName} on ${args.vmName}`;
    const run = (suffix: string, request: pulumi.Input<AgentRequest>, token: pulumi.Input<string>, extra: Partial<azure.compute.VirtualMachineRunCommandByVirtualMachineArgs> = {}, runOpts: pulumi.CustomResourceOptions = {}) => {
      const runCommandName = `chainsmith-${name}-${suffix}`;
      const inputJson = pulumi.output(request).apply((r) => JSON.stringify(r));
      return new azure.compute.VirtualMachineRunCommandByVirtualMachine(
        runCommandName,
        {
          ...vm,
          runCommandName,
          source: { script },
          parameters: [
            { name: "InputJson", value: inputJson },
            { name: "ContentHash", value: pulumi.all([inputJson, token]).apply(([json, t]) => contentHash(script, json, t)) },
          ],
          treatFailureAsDeploymentFailure: true,
          asyncExecution: false,
          timeoutInSeconds,
          ...extra,
        },
        { parent: this, ...runOpts },
      );
    };
    const answer = <T extends Inventory | ApplyReport | ChainReport>(resource: azure.compute.VirtualMachineRunCommandByVirtualMachine, runName: string) =>
      pulumi
        .all([azure.compute.getVirtualMachineRunCommandByVirtualMachineOutput({ resourceGroupName: args.resourceGroupName, vmName: args.vmName, runCommandName: resource.name, expand: "instanceView" }, { parent: this }), where(runName)])
        .apply(([got, w]) => resultOf<T>(parseAgentOutput(got.instanceView?.output ?? "", got.instanceView?.error ?? "", w, []), w, []));

    const stateToken = pulumi.output(args.runToken ?? "").apply((t) => `${leaf.sha256}|${JSON.stringify(args.binding)}|${t}`);
    this.inventoryRun = run("inventory", { verb: "inventory" }, stateToken);
    const inventory = answer<Inventory>(this.inventoryRun, "inventory");
    const preview = inventory.apply((raw) => {
      const { text, steps } = previewFrom({ ...args, desiredChain: desired }, new HostInventory(raw));
      return { text, steps: steps.map((p) => p.step) };
    });
    const steps = preview.apply((p) => p.steps);
    this.preview = preview.apply((p) => p.text);

    // The PFX is made once per leaf: the resource is named by the leaf, and later changes of the
    // (freshly encrypted) PFX are ignored, so a re-run with the same leaf reuses the first one.
    const pfx = pulumi.secret(pulumi.output(args.privateKey).apply((pem) => leafOnlyPfx(leaf, pem)));
    this.applyRun = run(
      `apply-${leaf.sha1.slice(0, 12).toLowerCase()}`,
      steps.apply((st) => ({ verb: "apply" as const, steps: st })),
      "",
      { protectedParameters: [{ name: "PfxBase64", value: pfx.apply((p) => p.base64) }, { name: "PfxPassword", value: pfx.apply((p) => p.password) }] },
      { dependsOn: [this.inventoryRun], ignoreChanges: ["protectedParameters"] },
    );
    this.done = answer<ApplyReport>(this.applyRun, "apply").apply((r) => r.done);
    const applied = this.applyRun.parameters.apply((p) => p?.find((x) => x.name === "ContentHash")?.value ?? "");
    this.chainRun = run("chain", { verb: "chain", thumbprint: leaf.sha1 }, applied, {}, { dependsOn: [this.applyRun] });
    const chain = answer<ChainReport>(this.chainRun, "chain");
    this.windowsBuilds = chain.apply((c) => c.elements.map((e) => Certificate.fromDer(Buffer.from(e.derBase64, "base64")).label));
    this.matchesDesired = chain.apply((c) => c.status.length === 0 && c.elements.slice(0, -1).map((e) => e.sha256).join() === desired.map((d) => d.sha256).join());
    this.registerOutputs({ preview: this.preview, done: this.done, windowsBuilds: this.windowsBuilds, matchesDesired: this.matchesDesired, desired: describeChain(desired, undefined) });
  }
}

/** SHA-256 of the script, the request and the token: a new value makes Azure run the command again. */
export function contentHash(script: string, inputJson: string, token: string): string {
  return crypto.createHash("sha256").update(script).update("\0").update(inputJson).update("\0").update(token).digest("hex");
}

/** A leaf-only 3DES PFX (what every Windows Server reads) under a one-time password. */
function leafOnlyPfx(leaf: Certificate, keyPem: string): { base64: string; password: string } {
  const key = parsePrivateKey(keyPem, "privateKey");
  assertKeyMatchesLeaf(key, leaf);
  const password = crypto.randomBytes(24).toString("base64url");
  return { base64: writePfx([leaf], key, password, { profile: "legacy", friendlyName: leaf.commonName }).toString("base64"), password };
}
