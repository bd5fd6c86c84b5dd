// The named arguments of a resource, wrapped as Pulumi secrets: the engine then keeps them
// encrypted in the state and hidden in every plan and log.
import * as pulumi from "@pulumi/pulumi";

export function secretInputs<T extends object, K extends keyof T>(args: T, names: readonly K[]): Partial<Record<K, pulumi.Output<unknown>>> {
  const wrapped: Partial<Record<K, pulumi.Output<unknown>>> = {};
  for (const name of names) {
    if (args[name] !== undefined) wrapped[name] = pulumi.secret(args[name] as pulumi.Input<unknown>);
  }
  return wrapped;
}
