// The package schema every generated SDK comes from: typed (no Any), documented, secrets marked,
// the component's targets a list of one Target type with a kind enum.
import { describe, expect, it } from "vitest";
import { packageSchema } from "../../../providers/plugin/schema";
import { DEPLOYMENT_TOKEN } from "../../../providers/plugin/component-schema";
import { loadProfiles } from "../../../providers/served-chain/inspect";

type Spec = Record<string, unknown>;
const schema = JSON.parse(packageSchema("0.0.0")) as { types: Record<string, Spec>; resources: Record<string, Spec> };

/** Every property of every type and resource, as ["owner.property", spec]. */
function properties(): [string, Spec][] {
  const of = (owner: string, props: unknown) => Object.entries((props ?? {}) as Record<string, Spec>).map(([name, p]): [string, Spec] => [`${owner}.${name}`, p]);
  return [
    ...Object.entries(schema.types).flatMap(([token, t]) => of(token, t.properties)),
    ...Object.entries(schema.resources).flatMap(([token, r]) => [...of(token, r.inputProperties), ...of(token, r.properties)]),
  ];
}

describe("the package schema", () => {
  it("has no Any: every value has its type", () => {
    expect(packageSchema("0.0.0")).not.toContain("pulumi.json#/Any");
    expect(properties().filter(([, p]) => p.type === undefined && p.$ref === undefined).map(([name]) => name)).toEqual([]);
  });

  it("documents every property and type", () => {
    expect(properties().filter(([, p]) => !(typeof p.description === "string" && p.description.length > 0)).map(([name]) => name)).toEqual([]);
    expect(Object.entries(schema.types).filter(([, t]) => !t.description).map(([token]) => token)).toEqual([]);
  });

  it("marks the component's secrets: the key, its passphrase, the PFX and its password, each target's SSH key and passphrase", () => {
    const secrets = (props: unknown) => Object.entries(props as Record<string, Spec>).filter(([, p]) => p.secret === true).map(([name]) => name).sort();
    expect(secrets(schema.resources[DEPLOYMENT_TOKEN].inputProperties)).toEqual(["keyPassphrase", "pfx", "pfxPassword", "privateKey"]);
    expect(secrets(schema.types["chainsmith:index:Target"].properties)).toEqual(["sshPassphrase", "sshPrivateKey"]);
  });

  it("the component takes a list of Targets whose kind is an enum", () => {
    const component = schema.resources[DEPLOYMENT_TOKEN] as { isComponent: boolean; inputProperties: Record<string, Spec>; requiredInputs: string[] };
    expect(component.isComponent).toBe(true);
    expect(component.requiredInputs).toEqual(["targets"]);
    expect(component.inputProperties.targets.items).toMatchObject({ $ref: "#/types/chainsmith:index:Target" });
    expect(schema.types["chainsmith:index:Target"].required).toEqual(["kind", "name"]);
    expect(schema.types["chainsmith:index:TargetKind"].enum).toEqual(["local", "linux", "iis", "azureVm", "appService"].map((value) => ({ value })));
  });
});

describe("a ServedChainCheck from another language", () => {
  it("reads a client profile written as the schema has it ({ spec }) like its name", () => {
    expect(loadProfiles([{ spec: "mozilla" }]).map((p) => [p.name, p.roots.length])).toEqual(loadProfiles(["mozilla"]).map((p) => [p.name, p.roots.length]));
  });
});
