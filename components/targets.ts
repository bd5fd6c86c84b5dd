// The kinds of target a CertificateDeployment deploys to, and the child resource each one
// becomes. `local` (the machine running Pulumi) and `linux` (over SSH) are TLS files; `iis`
// is a Windows IIS host over SSH; `azureVm` runs the same agent through Azure VM Run Command;
// `appService` is an Azure App Service certificate and SNI binding. One file per kind in
// target-kinds/.
import type * as pulumi from "@pulumi/pulumi";
import { earlierIdentities } from "./earlier-identities";
import { deployAppService, type AppServiceTargetArgs } from "./target-kinds/app-service";
import { deployAzureVm, type AzureVmTargetArgs } from "./target-kinds/azure-vm";
import type { DeployedTarget, EndpointArgs, TargetMaterial } from "./target-kinds/common";
import { deployIis, type IisTargetArgs } from "./target-kinds/iis";
import { deployLinux, type LinuxTargetArgs } from "./target-kinds/linux";
import { deployLocal, type LocalTargetArgs } from "./target-kinds/local";

export type { AppServiceTargetArgs, AzureVmTargetArgs, IisTargetArgs, LinuxTargetArgs, LocalTargetArgs };
export type { DeployedTarget, EndpointArgs, TargetMaterial, TargetStatus } from "./target-kinds/common";

export type TargetArgs = LocalTargetArgs | LinuxTargetArgs | IisTargetArgs | AzureVmTargetArgs | AppServiceTargetArgs;

/** The endpoints a target's verification probes. */
export function endpointsOf(target: TargetArgs): EndpointArgs[] {
  return target.kind === "iis" ? [target.endpoint, ...(target.endpoints ?? [])] : (target.endpoints ?? []);
}

export function deployTarget(resourceName: string, target: TargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  // A renamed target keeps its resource (and so leaves the host alone) through aliases.
  const earlierNames = (target.previousNames ?? []).map((old) => resourceName.slice(0, -target.name.length) + old);
  const withAliases = { ...opts, aliases: [...(opts.aliases ?? []), ...earlierIdentities(resourceName, earlierNames)] };
  switch (target.kind) {
    case "local":
      return deployLocal(resourceName, target, material, withAliases);
    case "linux":
      return deployLinux(resourceName, target, material, withAliases);
    case "iis":
      return deployIis(resourceName, target, material, withAliases);
    case "azureVm":
      return deployAzureVm(resourceName, target, material, withAliases);
    case "appService":
      return deployAppService(resourceName, target, material, withAliases);
  }
}
