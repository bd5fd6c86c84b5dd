// @pulumi/azure-native is an optional peer dependency: only Azure targets load it, and a
// missing package is named with the command that installs it.
import { ChainsmithInputError } from "../../chain/errors";

export function loadAzureComponent<T>(target: { name: string; kind: string }, load: () => T): T {
  try {
    return load();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code !== "MODULE_NOT_FOUND" || !e.message.includes("@pulumi/azure-native")) throw error;
    throw new ChainsmithInputError("azure-native-missing", `Target ${target.name} (${target.kind}) needs the package @pulumi/azure-native: run "npm install @pulumi/azure-native@^3" in the Pulumi program's folder.`);
  }
}
