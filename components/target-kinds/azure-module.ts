// @pulumi/azure-native is an optional peer dependency: only Azure targets load it, and a
// missing package is named with the command that installs it.
import { ChainsmithInputError } from "../../chain/errors";
import type { TargetMaterial } from "./common";

export function loadAzureComponent<T>(target: { name: string; kind: string }, load: () => T): T {
  try {
    return load();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code !== "MODULE_NOT_FOUND" || !e.message.includes("@pulumi/azure-native")) throw error;
    throw new ChainsmithInputError("azure-native-missing", `Target ${target.name} (${target.kind}) needs the package @pulumi/azure-native: run "npm install @pulumi/azure-native@^3" in the Pulumi program's folder.`);
  }
}

// The Azure components name their resources after the leaf, so they need the chain as a value now.
export function plainChain(material: TargetMaterial, target: { name: string; kind: string }): string {
  if (material.chainNow === undefined) {
    throw new ChainsmithInputError(
      "plain-chain-needed",
      `Target ${target.name} (${target.kind}) names its Azure resources after the leaf, so the chain must be known when the program runs: give certificate and pool as plain strings (e.g. read from files), not Outputs or a pfx.`,
    );
  }
  return material.chainNow;
}
