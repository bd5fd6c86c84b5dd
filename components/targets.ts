// The kinds of target a CertificateDeployment deploys to, and the child resource each one
// becomes. A `local` target is the machine running Pulumi; a `linux` target is reached over
// SSH. Both are the Linux files provider (providers/linux-files-provider.ts).
import * as pulumi from "@pulumi/pulumi";
import { LinuxTlsFiles, type ConnectionInputs } from "../providers/linux-files-provider";
import type { PresetName } from "../providers/linux/presets";
import type { Endpoint } from "../providers/linux/live-state";

export type { Endpoint } from "../providers/linux/live-state";

interface TargetBase {
  /** Short name, unique in the deployment: names the child resource and the target in every output. */
  name: string;
  /** TLS endpoints this target serves: probed after the reload (the deployment waits for them) and by the verification. */
  endpoints?: Endpoint[];
  /** What `pulumi destroy` does: "restore" (default) puts back the files found before the first deployment and reloads; "keep" leaves the deployed files. */
  onDelete?: "restore" | "keep";
}

/** The machine running Pulumi: files written with node:fs, commands run with this process's rights. */
export interface LocalTargetArgs extends TargetBase {
  kind: "local";
  /** Directory of the server's files: fullchain.pem and privkey.pem (certbot names) are written there. */
  directory: string;
  /** Command that makes the server read the files again, e.g. `systemctl reload nginx` or `kill -HUP <pid>`. */
  reloadCommand?: string;
  /** Command that tests the server's configuration before the reload, e.g. `nginx -t`. */
  configTestCommand?: string;
}

/** A Linux host over SSH (host key verified), serving with nginx, Apache, HAProxy, ... */
export interface LinuxTargetArgs extends TargetBase {
  kind: "linux";
  /** How to reach the host: host, port, user, hostKeyFingerprints or knownHosts, sudo, jumpHost. */
  connection: Omit<ConnectionInputs, "kind">;
  /** The SSH login key (kept secret); without it, connection.agent is used. */
  sshPrivateKey?: pulumi.Input<string>;
  /** Passphrase of sshPrivateKey (kept secret). */
  sshPassphrase?: pulumi.Input<string>;
  /** Which server reads the files: its file paths, config test and reload. Default "nginx". */
  preset?: PresetName;
  /** Put the preset's files in this directory, keeping their names. */
  directory?: string;
  /** Replaces the preset's reload command; "" skips the reload. */
  reloadCommand?: string;
  /** Replaces the preset's config test; "" skips it. */
  configTestCommand?: string;
}

export type TargetArgs = LocalTargetArgs | LinuxTargetArgs;

/** What a target deployment needs from the component: the chosen chain, the key, how long to wait for the endpoints. */
export interface TargetMaterial {
  /** PEM, leaf first, anchor left out. */
  chain: pulumi.Input<string>;
  /** Secret. */
  privateKey: pulumi.Input<string>;
  /** Secret. */
  keyPassphrase?: pulumi.Input<string>;
  /** How long the target waits for its endpoints to serve the new chain after the reload. */
  verifyTimeoutMs?: number;
}

/** The child resource that deploys the chain to `target`. */
export function deployTarget(resourceName: string, target: TargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): LinuxTlsFiles {
  const common = { chain: material.chain, privateKey: material.privateKey, keyPassphrase: material.keyPassphrase, endpoints: target.endpoints ?? [], onDelete: target.onDelete, verifyTimeoutMs: material.verifyTimeoutMs };
  if (target.kind === "local") {
    // The nginx preset's file names (fullchain.pem, privkey.pem) in the given directory, with the given commands only.
    return new LinuxTlsFiles(
      resourceName,
      {
        ...common,
        connection: { kind: "local" },
        preset: "nginx",
        directory: target.directory,
        reloadCommand: target.reloadCommand ?? "",
        configTestCommand: target.configTestCommand ?? "",
      },
      opts,
    );
  }
  return new LinuxTlsFiles(
    resourceName,
    {
      ...common,
      connection: { ...target.connection, kind: "ssh" },
      sshPrivateKey: target.sshPrivateKey,
      sshPassphrase: target.sshPassphrase,
      preset: target.preset ?? "nginx",
      directory: target.directory,
      reloadCommand: target.reloadCommand,
      configTestCommand: target.configTestCommand,
    },
    opts,
  );
}
