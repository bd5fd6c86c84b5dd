// A `linux` target: TLS files on a host over SSH.
import * as pulumi from "@pulumi/pulumi";
import type { DeepInput } from "../../providers/deep-input";
import type { ConnectionInputs } from "../../providers/linux/resource";
import type { PresetName, PresetOptions } from "../../providers/linux/presets";
import type { DeployedTarget, TargetBase, TargetMaterial } from "./common";
import { deployTlsFiles } from "./tls-files";

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

export function deployLinux(resourceName: string, target: LinuxTargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  return deployTlsFiles(
    resourceName,
    target,
    {
      connection: pulumi.output(target.connection).apply((c) => ({ ...c, kind: "ssh" as const })),
      sshPrivateKey: target.sshPrivateKey,
      sshPassphrase: target.sshPassphrase,
      preset: target.preset ?? "nginx",
      directory: target.directory,
      files: target.files,
      reloadCommand: target.reloadCommand,
      configTestCommand: target.configTestCommand,
    },
    material,
    opts,
  );
}
