// What a child resource was before, so that Pulumi takes it over in place rather than
// creating it anew and deleting the old one (a delete restores the host's files from before
// chainsmith): the target's earlier names, and the type chainsmith 0.1 gave every child (it
// deployed through dynamic providers, `pulumi-nodejs:dynamic:Resource`).
import type * as pulumi from "@pulumi/pulumi";

const CHAINSMITH_0_1_TYPE = "pulumi-nodejs:dynamic:Resource";

/** Aliases for a child named `name` that was also called each of `earlierNames`. */
export function earlierIdentities(name: string, earlierNames: readonly string[] = []): pulumi.Alias[] {
  return [{ type: CHAINSMITH_0_1_TYPE }, ...earlierNames.flatMap((old) => (old === name ? [] : [{ name: old }, { name: old, type: CHAINSMITH_0_1_TYPE }]))];
}
