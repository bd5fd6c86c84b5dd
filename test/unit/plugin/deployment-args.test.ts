// The Construct boundary (providers/plugin/deployment-args.ts, construct.ts) under Pulumi mocks
// (a mock: no engine): the schema's values become the TypeScript Args (client profiles, flat
// targets of each kind), what shapes the resources must be known, every mistake is a named
// input error, and Construct returns every output the schema declares.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { CertificateDeployment } from "../../../components/certificate-deployment";
import { construct, DEPLOYMENT_OUTPUTS } from "../../../providers/plugin/construct";
import { deploymentArgs } from "../../../providers/plugin/deployment-args";
import { componentResources, DEPLOYMENT_TOKEN } from "../../../providers/plugin/component-schema";
import { Pki, pemOf } from "../../../harness/pki";
import { sectigo } from "../../../harness/scenarios";

pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, served: [], drift: [], target: "mock", deployedFiles: [] } }), call: () => ({}) }, "unit", "unit", true);

const valueOf = <T>(input: pulumi.Input<T>) => new Promise<T>((resolve) => pulumi.output(input).apply((v) => resolve(v as T)));
// An Output whose value is not known yet (at preview, from a resource not yet created).
const unknownOutput = () => new (pulumi.Output as unknown as new (...a: unknown[]) => pulumi.Output<unknown>)(new Set(), Promise.resolve(undefined), Promise.resolve(false), Promise.resolve(false), Promise.resolve([]));
const local = { kind: "local", name: "web", directory: "/srv/web", endpoints: [{ host: "127.0.0.1", port: 8443 }] };

async function inputError(inputs: Record<string, unknown>): Promise<ChainsmithInputError> {
  const error = await deploymentArgs(inputs).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChainsmithInputError);
  return error as ChainsmithInputError;
}

describe("the component's inputs from the schema to the TypeScript Args", () => {
  it("client profiles: { spec } is the built-in name, { name, roots } a custom one, roots from an Output too", async () => {
    const roots = pulumi.output("PEM");
    const args = await deploymentArgs({ targets: [local], clientProfiles: [{ spec: "mozilla" }, { name: "kiosk", roots: "PEM" }, { name: "late", roots }] });
    const [mozilla, kiosk, late] = args.clientProfiles as pulumi.Input<unknown>[];
    expect(mozilla).toBe("mozilla");
    expect(kiosk).toEqual({ name: "kiosk", roots: "PEM" });
    expect(await valueOf(late)).toEqual({ name: "late", roots: "PEM" });
    const both = await deploymentArgs({ targets: [local], clientProfiles: [{ spec: "mozilla", name: "x", roots: "PEM" }] }).then(
      (a) => valueOf((a.clientProfiles as pulumi.Input<unknown>[])[0]),
      (e: unknown) => e,
    );
    expect(both).toMatchObject({ code: "bad-client-profile" });
  });

  it("a flat target becomes its kind's Args; fields from Outputs stay Outputs (secrets stay secret)", async () => {
    const key = pulumi.secret("SSH KEY");
    const args = await deploymentArgs({
      rollout: "canary",
      targets: [local, { kind: "linux", name: "web1", preset: "apache", connection: { host: "h", user: "u", sudo: true }, sshPrivateKey: key, endpoints: [{ host: "h", port: 443 }] }],
    });
    expect(args.rollout).toBe("canary");
    expect(args.targets.map((t) => `${t.kind}:${t.name}`)).toEqual(["local:web", "linux:web1"]);
    expect(args.targets[0]).toMatchObject({ directory: "/srv/web", endpoints: [{ host: "127.0.0.1", port: 8443 }] });
    const linux = args.targets[1] as unknown as Record<string, unknown>;
    expect(linux).toMatchObject({ preset: "apache", connection: { host: "h", user: "u", sudo: true } });
    expect(linux.sshPrivateKey).toBe(key);
    expect(await pulumi.isSecret(linux.sshPrivateKey as pulumi.Output<string>)).toBe(true);
  });

  it("rollout waves with waveSize: a count or a share, as the component's { waves }", async () => {
    expect((await deploymentArgs({ targets: [local], rollout: "waves", waveSize: "10" })).rollout).toEqual({ waves: 10 });
    expect((await deploymentArgs({ targets: [local], rollout: "waves", waveSize: "25%" })).rollout).toEqual({ waves: "25%" });
    expect((await inputError({ targets: [local], rollout: "waves" })).code).toBe("wave-size-missing");
    expect((await inputError({ targets: [local], rollout: "canary", waveSize: "10" })).code).toBe("wave-size-without-waves");
  });

  it("a target list that is an Output (known) gives its targets, each field out of that Output", async () => {
    const args = await deploymentArgs({ targets: pulumi.secret([local]) });
    expect(args.targets).toHaveLength(1);
    expect(args.targets[0].kind).toBe("local");
    expect(args.targets[0].name).toBe("web");
    expect(await valueOf((args.targets[0] as unknown as { directory: pulumi.Input<string> }).directory)).toBe("/srv/web");
  });

  it("each mistake is a named input error that says what to do", async () => {
    expect((await inputError({ targets: [{ ...local, preset: "nginx" }] })).message).toBe("Target web (local) does not take preset: it is for linux targets. Remove it, or change the kind.");
    expect((await inputError({ targets: [{ kind: "iis", name: "w", connection: { host: "h", user: "u", sudo: true }, endpoint: { host: "h", port: 443 } }] })).message).toBe(
      "Target w (iis) does not take connection.sudo: it is for linux targets. Remove it.",
    );
    expect((await inputError({ targets: [{ ...local, binding: { site: "s", port: 443 } }] })).message).toMatch(/it is for iis and azureVm targets/);
    expect((await inputError({ targets: [{ ...local, kind: "windows" }] })).code).toBe("unknown-target-kind");
    expect((await inputError({ targets: [{ kind: "local", directory: "/srv" }] })).code).toBe("target-needs-name");
    expect((await inputError({ targets: [local], rollout: "fast" })).code).toBe("unknown-rollout");
    expect((await inputError({ targets: { kind: "local" } })).code).toBe("not-a-list");
  });

  it("what shapes the resources must be known: an unknown target list, kind or endpoint list is refused by name", async () => {
    expect((await inputError({ targets: unknownOutput() })).message).toMatch(/^targets is not known yet .*must be plain values\.$/);
    expect((await inputError({ targets: [{ ...local, kind: unknownOutput() }] })).message).toMatch(/^targets\[0\]\.kind is not known yet/);
    expect((await inputError({ targets: [{ ...local, endpoints: unknownOutput() }] })).message).toMatch(/^target web's endpoints is not known yet/);
  });
});

describe("Construct", () => {
  let s: Awaited<ReturnType<typeof sectigo>>;
  beforeAll(async () => {
    s = await sectigo(new Pki());
  });

  it("builds the CertificateDeployment and returns every output the schema declares", async () => {
    const inputs = { certificate: s.leaf.pem, privateKey: pulumi.secret(s.leaf.keyPem), pool: pemOf(...s.rsaPool), clientProfiles: [{ name: "modern", roots: s.r46.pem }], targets: [local] };
    const result = await construct("www", DEPLOYMENT_TOKEN, inputs, {});
    expect(Object.keys(result.state).sort()).toEqual(Object.keys(componentResources[DEPLOYMENT_TOKEN].properties).sort());
    expect(DEPLOYMENT_OUTPUTS.every((name) => pulumi.Output.isInstance(result.state[name]))).toBe(true);
    expect(await valueOf(result.urn)).toMatch(/chainsmith:index:CertificateDeployment::www$/);
    // The same chain as the in-process class chooses from the same inputs.
    const inProcess = new CertificateDeployment("in-process", { ...inputs, clientProfiles: [{ name: "modern", roots: s.r46.pem }], targets: [{ ...local, kind: "local" }] });
    expect(await valueOf(result.state.chainPem as pulumi.Output<string>)).toBe(await valueOf(inProcess.chainPem));
    expect((await valueOf(inProcess.chain)).length).toBeGreaterThan(1);
  });

  it("refuses a type it does not build", async () => {
    await expect(construct("x", "chainsmith:index:Other", {}, {})).rejects.toThrow("chainsmith: unknown component type chainsmith:index:Other (this chainsmith provider builds chainsmith:index:CertificateDeployment)");
  });
});
