// Targets deployed as TLS files (`local` and `linux`): one chainsmith:linux:TlsFiles resource.
import type * as pulumi from "@pulumi/pulumi";
import type { InputsOf } from "../../providers/deep-input";
import { LinuxTlsFiles, type LinuxFilesInputs } from "../../providers/linux/resource";
import { statusOf, type DeployedTarget, type TargetBase, type TargetMaterial } from "./common";

type CommonInputs = "chain" | "privateKey" | "endpoints" | "onDelete" | "verifyTimeoutMs";

/** The target's own inputs (where and how), plus what every files target gets from the component. */
export function deployTlsFiles(
  resourceName: string,
  target: TargetBase & { kind: string; onDelete?: pulumi.Input<"restore" | "keep"> },
  inputs: Omit<InputsOf<LinuxFilesInputs>, CommonInputs>,
  material: TargetMaterial,
  opts: pulumi.CustomResourceOptions,
): DeployedTarget {
  const files = new LinuxTlsFiles(
    resourceName,
    { ...inputs, chain: material.chain, privateKey: material.privateKey, endpoints: target.endpoints ?? [], onDelete: target.onDelete, verifyTimeoutMs: material.verifyTimeoutMs },
    opts,
  );
  const detail = files.deployedFiles.apply((list) => list.map((f) => `${f.path} sha256:${f.sha256.slice(0, 16)}`));
  return { resource: files, status: statusOf(target, files.target, files.drift, detail) };
}
