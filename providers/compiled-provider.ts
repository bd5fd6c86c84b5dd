// Pulumi serializes a dynamic provider's methods into the state and runs them in a separate
// process, so every provider here is the same thin shell: each method requires the compiled
// implementation module by absolute path at run time and calls the function of its name.
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

// From dist/providers this file is already compiled; from the TypeScript sources (tests,
// ts-node programs) the implementation is the compiled copy in dist/ (`npm run build`).
const compiledProviders = path.basename(path.dirname(__dirname)) === "dist" ? __dirname : path.resolve(__dirname, "..", "dist", "providers");

/** Absolute path of a compiled module under dist/providers, e.g. "linux/provider-methods". */
export function compiledModule(relative: string): string {
  return path.join(compiledProviders, `${relative}.js`);
}

/** A provider whose methods delegate to the module's check/diff/create/read/update/remove. */
export function compiledProvider(modulePath: string): pulumi.dynamic.ResourceProvider {
  return {
    check: (olds, news) => require(modulePath).check(olds, news),
    diff: (id, olds, news) => require(modulePath).diff(id, olds, news),
    create: (inputs) => require(modulePath).create(inputs),
    read: (id, props) => require(modulePath).read(id, props),
    update: (id, olds, news) => require(modulePath).update(id, olds, news),
    delete: (id, props) => require(modulePath).remove(id, props),
  };
}
