// Every argument of a chainsmith resource may come from another resource: an Output or a
// Promise, at any depth (`connection: { host: vm.publicIp }`). The SDK resolves nested
// Inputs before the provider sees them.
import type * as pulumi from "@pulumi/pulumi";

type Primitive = string | number | boolean | null | undefined;

export type DeepInput<T> = [T] extends [Primitive] ? pulumi.Input<T> : DeepInputMember<T>;

// Distributes over a union of shapes (a profile is a name or { name, roots }).
type DeepInputMember<T> = T extends Primitive
  ? pulumi.Input<T>
  : T extends readonly (infer Item)[]
    ? pulumi.Input<DeepInput<Item>[]>
    : pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>;

/** The resource's arguments: each property an Input, nested ones too. */
export type InputsOf<T> = { [K in keyof T]: DeepInput<T[K]> };
