// The child resource each kind of target becomes, and its status for the component's
// outputs. Only wiring: the providers do the work.
import * as pulumi from "@pulumi/pulumi";
import { ChainsmithInputError } from "../chain/errors";
import { LinuxTlsFiles } from "../providers/linux-files-provider";
import { IisCertificate } from "../providers/windows/iis-provider";
// The Azure targets load @pulumi/azure-native (a large package): only when one is used.
type AzureRunCommandModule = typeof import("../providers/windows/azure-run-command");
type AppServiceModule = typeof import("../providers/windows/app-service");
import type { AppServiceTargetArgs, AzureVmTargetArgs, IisTargetArgs, LinuxTargetArgs, LocalTargetArgs, TargetArgs } from "./targets";

/** What a target deployment needs from the component. */
export interface TargetMaterial {
  /** The chosen chain, PEM, leaf first, anchor left out. */
  chain: pulumi.Output<string>;
  /** The same, as a plain value when it could be chosen from plain inputs (Azure targets name resources after it). */
  chainNow: string | undefined;
  /** The pool (PEM): Windows targets distrust the self-signed twins of its cross-signs. */
  pool: pulumi.Input<string | undefined>;
  /** The leaf's key, unencrypted PKCS#8 PEM, secret. */
  privateKey: pulumi.Output<string>;
  /** How long targets wait for their endpoints to serve the new chain. */
  verifyTimeoutMs?: pulumi.Input<number>;
}

export interface TargetStatus {
  name: string;
  kind: TargetArgs["kind"];
  /** "local", "user@host:port", the VM or the web app. */
  target: string;
  /** Why the target differs from the deployment (filled by refresh). */
  drift: string[];
  /** What was deployed, in words: files and hashes, or what Windows builds. */
  detail: string[];
}

export interface DeployedTarget {
  resource: pulumi.Resource;
  status: pulumi.Output<TargetStatus>;
}

export function deployTarget(resourceName: string, target: TargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  // A renamed target keeps its resource (and so leaves the host alone) through aliases.
  const withAliases = { ...opts, aliases: [...(opts.aliases ?? []), ...(target.previousNames ?? []).map((old) => ({ name: resourceName.slice(0, -target.name.length) + old }))] };
  switch (target.kind) {
    case "local":
      return local(resourceName, target, material, withAliases);
    case "linux":
      return linux(resourceName, target, material, withAliases);
    case "iis":
      return iis(resourceName, target, material, withAliases);
    case "azureVm":
      return azureVm(resourceName, target, material, withAliases);
    case "appService":
      return appService(resourceName, target, material, withAliases);
  }
}

function statusOf(target: TargetArgs, where: pulumi.Input<string>, drift: pulumi.Input<string[]>, detail: pulumi.Input<string[]>): pulumi.Output<TargetStatus> {
  return pulumi.all([where, drift, detail]).apply(([w, d, x]) => ({ name: target.name, kind: target.kind, target: w, drift: d, detail: x }));
}

function filesStatus(target: TargetArgs, files: LinuxTlsFiles): pulumi.Output<TargetStatus> {
  return statusOf(target, files.target, files.drift, files.deployedFiles.apply((list) => list.map((f) => `${f.path} sha256:${f.sha256.slice(0, 16)}`)));
}

/** The machine running Pulumi: the nginx preset's file names (fullchain.pem, privkey.pem) in the directory, with the given commands only. */
function local(resourceName: string, target: LocalTargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  const files = new LinuxTlsFiles(
    resourceName,
    {
      connection: { kind: "local" },
      preset: "nginx",
      directory: target.directory,
      reloadCommand: target.reloadCommand ?? "",
      configTestCommand: target.configTestCommand ?? "",
      chain: material.chain,
      privateKey: material.privateKey,
      endpoints: target.endpoints ?? [],
      onDelete: target.onDelete,
      verifyTimeoutMs: material.verifyTimeoutMs,
    },
    opts,
  );
  return { resource: files, status: filesStatus(target, files) };
}

function linux(resourceName: string, target: LinuxTargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  const files = new LinuxTlsFiles(
    resourceName,
    {
      connection: pulumi.output(target.connection).apply((c) => ({ ...c, kind: "ssh" as const })),
      sshPrivateKey: target.sshPrivateKey,
      sshPassphrase: target.sshPassphrase,
      preset: target.preset ?? "nginx",
      directory: target.directory,
      files: target.files,
      reloadCommand: target.reloadCommand,
      configTestCommand: target.configTestCommand,
      chain: material.chain,
      privateKey: material.privateKey,
      endpoints: target.endpoints ?? [],
      onDelete: target.onDelete,
      verifyTimeoutMs: material.verifyTimeoutMs,
    },
    opts,
  );
  return { resource: files, status: filesStatus(target, files) };
}

function iis(resourceName: string, target: IisTargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  const iis = new IisCertificate(
    resourceName,
    {
      connection: target.connection,
      sshPrivateKey: target.sshPrivateKey,
      sshPassphrase: target.sshPassphrase,
      chain: material.chain,
      privateKey: material.privateKey,
      binding: target.binding,
      leafStore: target.leafStore,
      exportableKey: target.exportableKey,
      disableRootAutoUpdate: target.disableRootAutoUpdate,
      knownCertificates: material.pool,
      programRootsFile: target.programRootsFile,
      endpoint: target.endpoint,
    },
    opts,
  );
  return { resource: iis, status: statusOf(target, iis.target, iis.drift, iis.preview.apply((p) => [p])) };
}

function azureVm(resourceName: string, target: AzureVmTargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  const { AzureVmIisCertificate } = azureModule(target, () => require("../providers/windows/azure-run-command") as AzureRunCommandModule);
  const vm = new AzureVmIisCertificate(
    resourceName,
    {
      resourceGroupName: target.resourceGroupName,
      vmName: target.vmName,
      location: target.location,
      chain: plainChain(material, target),
      privateKey: material.privateKey,
      binding: target.binding,
      leafStore: target.leafStore,
      exportableKey: target.exportableKey,
      disableRootAutoUpdate: target.disableRootAutoUpdate,
      runToken: target.runToken,
    },
    opts,
  );
  return { resource: vm, status: statusOf(target, target.vmName, [], pulumi.all([vm.preview, vm.windowsBuilds]).apply(([p, w]) => [p, `Windows builds: ${w.join(" > ")}`])) };
}

function appService(resourceName: string, target: AppServiceTargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  const { AppServiceCertificate } = azureModule(target, () => require("../providers/windows/app-service") as AppServiceModule);
  const app = new AppServiceCertificate(
    resourceName,
    {
      resourceGroupName: target.resourceGroupName,
      location: target.location,
      webAppName: target.webAppName,
      serverFarmId: target.serverFarmId,
      hostName: target.hostName,
      chain: plainChain(material, target),
      privateKey: material.privateKey,
    },
    opts,
  );
  return { resource: app, status: statusOf(target, target.webAppName, [], [`App Service sends ${app.expectedServed.join(" > ")}`, ...(app.warning ? [app.warning] : [])]) };
}

// @pulumi/azure-native is an optional peer dependency: only Azure targets need it.
function azureModule<T>(target: AzureVmTargetArgs | AppServiceTargetArgs, load: () => T): T {
  try {
    return load();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code !== "MODULE_NOT_FOUND" || !e.message.includes("@pulumi/azure-native")) throw error;
    throw new ChainsmithInputError("azure-native-missing", `Target ${target.name} (${target.kind}) needs the package @pulumi/azure-native: run "npm install @pulumi/azure-native@^3" in the Pulumi program's folder.`);
  }
}

// The Azure components name their resources after the leaf, so they need the chain as a value now.
function plainChain(material: TargetMaterial, target: AzureVmTargetArgs | AppServiceTargetArgs): string {
  if (material.chainNow === undefined) {
    throw new ChainsmithInputError(
      "plain-chain-needed",
      `Target ${target.name} (${target.kind}) names its Azure resources after the leaf, so the chain must be known when the program runs: give certificate and pool as plain strings (e.g. read from files), not Outputs or a pfx.`,
    );
  }
  return material.chainNow;
}
