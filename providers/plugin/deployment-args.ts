// The one place where the CertificateDeployment's inputs as the schema has them (Construct:
// any language) become the TypeScript Args of the in-process class: a client profile object
// becomes its spec or { name, roots }, a flat target the Args of its kind (a property of
// another kind is refused with the kinds that take it). What shapes the resource graph (the
// target list, kinds, names, endpoint lists, rollout) must be known; everything else stays an
// Input, so an Output keeps its secrecy and dependencies.
import * as pulumi from "@pulumi/pulumi";
import { ChainsmithInputError } from "../../chain/errors";
import type { CertificateDeploymentArgs } from "../../components/certificate-deployment";
import type { Rollout } from "../../components/rollout";
import type { EndpointArgs, TargetArgs } from "../../components/targets";
import type { ProfileInput } from "../served-chain/inspect";
import { LINUX_ONLY_CONNECTION, ROLLOUTS, TARGET_FIELD_KINDS, TARGET_KINDS, type TargetKind } from "./component-schema";

type Fields = Record<string, unknown>;
// The SDK's Output keeps its value and whether it is known in members its types do not show.
type OutputInternals = { isKnown: Promise<boolean>; promise(): Promise<unknown> };

export async function deploymentArgs(inputs: Fields): Promise<CertificateDeploymentArgs> {
  const targets = await Promise.all((await listOf(inputs.targets, "targets")).map((t, i) => targetArgs(t, i)));
  const rollout = await rolloutOf(await known(inputs.rollout, "rollout"), await known(inputs.waveSize, "waveSize"));
  return {
    certificate: inputs.certificate as pulumi.Input<string>,
    privateKey: inputs.privateKey as pulumi.Input<string>,
    keyPassphrase: inputs.keyPassphrase as pulumi.Input<string>,
    pfx: inputs.pfx as pulumi.Input<string>,
    pfxPassword: inputs.pfxPassword as pulumi.Input<string>,
    pool: inputs.pool as pulumi.Input<string>,
    policy: inputs.policy as pulumi.Input<string>,
    clientProfiles: inputs.clientProfiles === undefined ? undefined : ((await listOf(inputs.clientProfiles, "clientProfiles")).map(profileInput) as CertificateDeploymentArgs["clientProfiles"]),
    requiredProfiles: inputs.requiredProfiles as pulumi.Input<string[]>,
    targets,
    endpoints: inputs.endpoints === undefined ? undefined : ((await listOf(inputs.endpoints, "endpoints")) as EndpointArgs[]),
    rollout,
    failOn: inputs.failOn as CertificateDeploymentArgs["failOn"],
    driftChecks: inputs.driftChecks as pulumi.Input<boolean>,
    verifyTimeoutMs: inputs.verifyTimeoutMs as pulumi.Input<number>,
  };
}

/** The schema's rollout enum and waveSize, as the component's Rollout ({ waves } for "waves"). */
function rolloutOf(rollout: unknown, waveSize: unknown): Rollout | undefined {
  if (rollout !== undefined && !(ROLLOUTS as readonly unknown[]).includes(rollout)) {
    throw new ChainsmithInputError("unknown-rollout", `Rollout "${String(rollout)}" is not one of ${ROLLOUTS.join(", ")}.`);
  }
  if (rollout !== "waves") {
    if (waveSize !== undefined) throw new ChainsmithInputError("wave-size-without-waves", `waveSize is given but rollout is ${String(rollout ?? "parallel")}: set rollout to waves, or remove waveSize.`);
    return rollout as Rollout | undefined;
  }
  if (typeof waveSize !== "string") throw new ChainsmithInputError("wave-size-missing", 'rollout waves needs waveSize: targets per wave ("10") or a share of all targets ("25%").');
  // The component checks the size itself (bad-rollout names what is wrong).
  return { waves: /^\s*\d+\s*$/.test(waveSize) ? Number(waveSize) : waveSize };
}

/** { spec } is a built-in profile's name; { name, roots } a custom one. */
function profileInput(profile: unknown): pulumi.Input<ProfileInput> {
  const convert = (p: { spec?: string; name?: string; roots?: string } | undefined): ProfileInput => {
    if (p?.spec !== undefined && p.name === undefined && p.roots === undefined) return p.spec;
    if (p?.spec === undefined && p?.name !== undefined && p.roots !== undefined) return { name: p.name, roots: p.roots };
    throw new ChainsmithInputError("bad-client-profile", 'A client profile is either { spec: "mozilla" } (a built-in profile, "frozen:YYYY-MM-DD", "name=FILE") or { name, roots: PEM }, not both.');
  };
  // Plain profiles convert now (the chain is then chosen when the program runs); Outputs (roots from another resource) once known.
  const plain = (p: unknown): p is Fields => !pulumi.Output.isInstance(p) && Object.values(p ?? {}).every((v) => !pulumi.Output.isInstance(v));
  if (plain(profile)) return convert(profile);
  return pulumi.output(profile as pulumi.Input<Fields>).apply((p) => convert(p as Parameters<typeof convert>[0])) as pulumi.Output<ProfileInput>;
}

async function targetArgs(target: unknown, index: number): Promise<TargetArgs> {
  const fields = await fieldsOf(target, `targets[${index}]`);
  const kind = (await known(fields.kind, `targets[${index}].kind`)) as TargetKind;
  const name = await known(fields.name, `targets[${index}].name`);
  if (!TARGET_KINDS.includes(kind)) throw new ChainsmithInputError("unknown-target-kind", `Target ${String(name ?? index)} has kind "${String(kind)}", not one of ${TARGET_KINDS.join(", ")}.`);
  if (typeof name !== "string" || name === "") throw new ChainsmithInputError("target-needs-name", `targets[${index}] (${kind}) has no name. Give every target a short name, unique in the deployment.`);
  const given = Object.keys(fields).filter((f) => fields[f] !== undefined && fields[f] !== null);
  for (const field of given) {
    const kinds = TARGET_FIELD_KINDS[field];
    if (kinds && !kinds.includes(kind)) throw new ChainsmithInputError("target-field-kind", `Target ${name} (${kind}) does not take ${field}: it is for ${kinds.join(" and ")} targets. Remove it, or change the kind.`);
  }
  const connection = await fieldsOf(fields.connection, `target ${name}'s connection`);
  const linuxOnly = kind === "linux" ? [] : LINUX_ONLY_CONNECTION.filter((f) => connection?.[f] !== undefined && connection[f] !== null);
  if (linuxOnly.length > 0) throw new ChainsmithInputError("target-field-kind", `Target ${name} (${kind}) does not take connection.${linuxOnly[0]}: it is for linux targets. Remove it.`);
  const args: Fields = Object.fromEntries(given.map((f) => [f, fields[f]]));
  args.kind = kind;
  args.name = name;
  args.previousNames = await known(fields.previousNames, `target ${name}'s previousNames`);
  args.endpoints = fields.endpoints === undefined ? undefined : await listOf(fields.endpoints, `target ${name}'s endpoints`);
  // An azureVm target's Windows options are plain values in its Args.
  if (kind === "azureVm") for (const f of ["binding", "leafStore", "exportableKey", "disableRootAutoUpdate", "removeOldLeaf"]) args[f] = await known(fields[f], `target ${name}'s ${f}`);
  return args as unknown as TargetArgs;
}

/** The value, which must be known now (it shapes the resources); undefined stays undefined. */
async function known(value: unknown, what: string): Promise<unknown> {
  if (!pulumi.Output.isInstance(value)) return value;
  const output = value as unknown as OutputInternals;
  if (!(await output.isKnown)) {
    throw new ChainsmithInputError("shape-unknown", `${what} is not known yet (it comes from a resource not yet created): the target list, each target's kind and name, the endpoint lists and the rollout shape the resources, so they must be plain values.`);
  }
  return output.promise();
}

/** A list whose length is known; each item an Input (an item of a list that was an Output comes out of that Output). */
async function listOf(value: unknown, what: string): Promise<unknown[]> {
  const list = await known(value, what);
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new ChainsmithInputError("not-a-list", `${what} must be a list.`);
  return pulumi.Output.isInstance(value) ? list.map((_, i) => (value as pulumi.Output<unknown[]>).apply((l) => l[i])) : list;
}

/** An object whose keys are known; each property an Input. */
async function fieldsOf(value: unknown, what: string): Promise<Fields> {
  const object = (await known(value, what)) as Fields | undefined;
  if (object === undefined || object === null) return {};
  return pulumi.Output.isInstance(value) ? Object.fromEntries(Object.keys(object).map((k) => [k, (value as pulumi.Output<Fields>).apply((o) => o[k])])) : object;
}
