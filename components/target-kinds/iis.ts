// An `iis` target: a Windows IIS host over SSH (OpenSSH for Windows).
import type * as pulumi from "@pulumi/pulumi";
import type { DeepInput, InputsOf } from "../../providers/deep-input";
import { IisCertificate, type WindowsConnectionInputs } from "../../providers/windows/resource";
import { statusOf, type DeployedTarget, type EndpointArgs, type TargetBase, type TargetMaterial } from "./common";
import type { WindowsOptions } from "./windows-options";

/** Stores arranged so that Windows builds the chosen chain. `pulumi destroy` leaves the host as deployed. */
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
  /** Let the verification ladder run iisreset (restarts every IIS site); default false. */
  allowIisreset?: pulumi.Input<boolean>;
  /** Let the verification ladder restart the HTTP service (restarts IIS, WinRM and every other http.sys user); default false. */
  allowHttpServiceRestart?: pulumi.Input<boolean>;
}

export function deployIis(resourceName: string, target: IisTargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
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
      removeOldLeaf: target.removeOldLeaf,
      allowIisreset: target.allowIisreset,
      allowHttpServiceRestart: target.allowHttpServiceRestart,
      knownCertificates: material.pool,
      programRootsFile: target.programRootsFile,
      endpoint: target.endpoint,
    },
    opts,
  );
  return { resource: iis, status: statusOf(target, iis.target, iis.drift, iis.preview.apply((p) => [p])) };
}
