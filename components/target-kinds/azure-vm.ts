// An `azureVm` target: a Windows VM in Azure, reached through VM Run Command (no SSH).
import * as pulumi from "@pulumi/pulumi";
import { loadAzureComponent } from "./azure-module";
import { statusOf, type DeployedTarget, type TargetBase, type TargetMaterial } from "./common";
import type { WindowsOptions } from "./windows-options";

type AzureVmModule = typeof import("../azure/azure-vm-iis-certificate");

/** Drift shows when `runToken` changes. */
export interface AzureVmTargetArgs extends TargetBase, WindowsOptions {
  kind: "azureVm";
  resourceGroupName: pulumi.Input<string>;
  vmName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** Change it (e.g. to a date) to read the VM again. */
  runToken?: pulumi.Input<string>;
}

export function deployAzureVm(resourceName: string, target: AzureVmTargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  const { AzureVmIisCertificate } = loadAzureComponent(target, () => require("../azure/azure-vm-iis-certificate") as AzureVmModule);
  const vm = new AzureVmIisCertificate(
    resourceName,
    {
      resourceGroupName: target.resourceGroupName,
      vmName: target.vmName,
      location: target.location,
      chain: material.chain,
      privateKey: material.privateKey,
      knownCertificates: material.pool,
      binding: target.binding,
      leafStore: target.leafStore,
      exportableKey: target.exportableKey,
      disableRootAutoUpdate: target.disableRootAutoUpdate,
      removeOldLeaf: target.removeOldLeaf,
      runToken: target.runToken,
    },
    opts,
  );
  const detail = pulumi.all([vm.preview, vm.windowsBuilds]).apply(([p, w]) => [p, `Windows builds: ${w.join(" > ")}`]);
  return { resource: vm, status: statusOf(target, target.vmName, [], detail) };
}
