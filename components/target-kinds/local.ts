// A `local` target: TLS files on the machine running Pulumi.
import type * as pulumi from "@pulumi/pulumi";
import type { DeployedTarget, TargetBase, TargetMaterial } from "./common";
import { deployTlsFiles } from "./tls-files";

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

/** The nginx preset's file names (fullchain.pem, privkey.pem) in the directory, with the given commands only. */
export function deployLocal(resourceName: string, target: LocalTargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  return deployTlsFiles(
    resourceName,
    target,
    { connection: { kind: "local" }, preset: "nginx", directory: target.directory, reloadCommand: target.reloadCommand ?? "", configTestCommand: target.configTestCommand ?? "" },
    material,
    opts,
  );
}
