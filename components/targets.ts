// The kinds of target a CertificateDeployment deploys to. `local` (the machine running
// Pulumi) and `linux` (over SSH) are the Linux files provider; `iis` is the Windows IIS
// provider over SSH; `azureVm` runs the same agent through Azure VM Run Command;
// `appService` is an Azure App Service certificate and SNI binding.
import type * as pulumi from "@pulumi/pulumi";
import type { DeepInput, InputsOf } from "../providers/deep-input";
import type { ConnectionInputs } from "../providers/linux-files-provider";
import type { PresetName, PresetOptions } from "../providers/linux/presets";
import type { Endpoint } from "../providers/linux/live-state";
import type { WindowsConnectionInputs } from "../providers/windows/iis-provider";
import type { BindingSpec } from "../providers/windows/planner";
import type { LeafStore } from "../providers/windows/contract";

export type { Endpoint } from "../providers/linux/live-state";

/** A TLS endpoint; each field may come from another resource (`host: vm.publicIp`). */
export type EndpointArgs = InputsOf<Endpoint>;

interface TargetBase {
  /** Short name, unique in the deployment: names the child resource and the target in every output. A plain value: it shapes the resource graph. */
  name: string;
  /** Earlier names of this target: renaming it then touches nothing on the host (Pulumi aliases of the child resource). */
  previousNames?: string[];
  /** TLS endpoints this target serves: probed after the deployment and by the verification. */
  endpoints?: EndpointArgs[];
}

/** The machine running Pulumi: files written with node:fs, commands run with this process's rights. */
export interface LocalTargetArgs extends TargetBase {
  kind: "local";
  /** Directory of the server's files: fullchain.pem and privkey.pem (certbot names) are written there. */
  directory: pulumi.Input<string>;
  /** Command that makes the server read the files again, e.g. `systemctl reload nginx` or `kill -HUP <pid>`. */
  reloadCommand?: pulumi.Input<string>;
  /** Command that tests the server's configuration before the reload, e.g. `nginx -t`. */
  configTestCommand?: pulumi.Input<string>;
  /** What `pulumi destroy` does: "restore" (default) puts back the files found before the first deployment and reloads; "keep" leaves the deployed files. */
  onDelete?: pulumi.Input<"restore" | "keep">;
}

/** A Linux host over SSH (host key verified), serving with nginx, Apache, HAProxy, ... */
export interface LinuxTargetArgs extends TargetBase {
  kind: "linux";
  /** How to reach the host: host, port, user, hostKeyFingerprints or knownHosts, sudo, jumpHost. */
  connection: DeepInput<Omit<ConnectionInputs, "kind">>;
  /** The SSH login key (kept secret); without it, connection.agent is used. */
  sshPrivateKey?: pulumi.Input<string>;
  /** Passphrase of sshPrivateKey (kept secret). */
  sshPassphrase?: pulumi.Input<string>;
  /** Which server reads the files: its file paths, config test and reload. Default "nginx". */
  preset?: pulumi.Input<PresetName>;
  /** Put the preset's files in this directory, keeping their names. */
  directory?: pulumi.Input<string>;
  /** Per-role overrides of path, mode, owner and group (null leaves a file out); for preset "custom", the files to write. */
  files?: DeepInput<PresetOptions["files"]>;
  /** Replaces the preset's reload command; "" skips the reload. */
  reloadCommand?: pulumi.Input<string>;
  /** Replaces the preset's config test; "" skips it. */
  configTestCommand?: pulumi.Input<string>;
  /** What `pulumi destroy` does: "restore" (default) puts back the files found before the first deployment and reloads; "keep" leaves the deployed files. */
  onDelete?: pulumi.Input<"restore" | "keep">;
}

/** Options of the Windows chain engine's store arrangement, shared by `iis` and `azureVm`. */
interface WindowsOptions {
  /** The IIS binding: site, port, ip ("*"), host (SNI). */
  binding: BindingSpec;
  /** Where the leaf and its key go; default My. */
  leafStore?: LeafStore;
  /** Mark the imported key exportable; default false. */
  exportableKey?: boolean;
  /** Set DisableRootAutoUpdate=1 (the host then stops receiving new roots); default false. */
  disableRootAutoUpdate?: boolean;
}

/** A Windows IIS host over SSH (OpenSSH for Windows): stores arranged so that Windows builds the chosen chain. `pulumi destroy` leaves the host as deployed. */
export interface IisTargetArgs extends TargetBase, InputsOf<WindowsOptions> {
  kind: "iis";
  /** How to reach the host: host, port, user, hostKeyFingerprints or knownHosts. */
  connection: DeepInput<WindowsConnectionInputs>;
  /** The SSH login key (kept secret). */
  sshPrivateKey?: pulumi.Input<string>;
  /** Passphrase of sshPrivateKey (kept secret). */
  sshPassphrase?: pulumi.Input<string>;
  /** Where clients connect to this IIS site; verified after the deployment. */
  endpoint: EndpointArgs;
  /** A PEM file of Microsoft's root program list (roots automatic update brings back), for the prediction. */
  programRootsFile?: pulumi.Input<string>;
}

/** A Windows VM in Azure, reached through VM Run Command (no SSH). Drift shows when `runToken` changes. */
export interface AzureVmTargetArgs extends TargetBase, WindowsOptions {
  kind: "azureVm";
  resourceGroupName: pulumi.Input<string>;
  vmName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** Change it (e.g. to a date) to read the VM again. */
  runToken?: pulumi.Input<string>;
}

/** An Azure App Service custom domain (SNI). App Service sends only the leaf and its issuer: a cross-sign cannot reach clients there. */
export interface AppServiceTargetArgs extends TargetBase {
  kind: "appService";
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** The web app (site) name. */
  webAppName: pulumi.Input<string>;
  /** The App Service plan the certificate belongs to. */
  serverFarmId?: pulumi.Input<string>;
  /** The custom host name to bind. */
  hostName: pulumi.Input<string>;
}

export type TargetArgs = LocalTargetArgs | LinuxTargetArgs | IisTargetArgs | AzureVmTargetArgs | AppServiceTargetArgs;

/** The endpoints a target's verification probes. */
export function endpointsOf(target: TargetArgs): EndpointArgs[] {
  return target.kind === "iis" ? [target.endpoint, ...(target.endpoints ?? [])] : (target.endpoints ?? []);
}
