// CertificateDeployment under Pulumi mocks (a mock: no engine, provider methods never run):
// the chain chosen in the program and its explanation, the children each rollout creates (waves
// too, and the edges between them), the key reaching targets as a secret, the Azure targets,
// and input errors that say what to do.
import * as pulumi from "@pulumi/pulumi";
import { assert, beforeAll, describe, expect, it, vi } from "vitest";
import { CertificateDeployment, type CertificateDeploymentArgs, type Rollout } from "../../../components/certificate-deployment";
import { roll } from "../../../components/rollout";
import type { ChainsmithInputError } from "../../../chain/errors";
import { writePfx } from "../../../chain/pfx-write";
import { Pki, pemOf } from "../../../harness/pki";
import { sectigo } from "../../../harness/scenarios";

// The Azure targets are loaded with require() only when used, which only compiled code can do
// (npm test compiles first): those cases run the compiled component.
const compiled = require("../../../dist/components/certificate-deployment") as typeof import("../../../components/certificate-deployment");

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      // What the providers would return: enough for the component's outputs.
      const state = CHILD_TYPES.includes(args.type) ? { served: [], drift: [], target: "mock", deployedFiles: [], preview: "IIS serves now: (mock)" } : {};
      return { id: `${args.name}-id`, state: { ...args.inputs, ...state } };
    },
    call: (args) => (args.token === "azure-native:compute:getVirtualMachineRunCommandByVirtualMachine" ? { instanceView: { output: "", error: "" } } : {}),
  },
  "unit",
  "unit",
  true,
);

const CHILD_TYPES = ["chainsmith:linux:TlsFiles", "chainsmith:windows:IisCertificate", "chainsmith:index:ServedChainCheck"];
/** The provider resources, in the order the component registered them. */
const children = () => registered.filter((r) => CHILD_TYPES.includes(r.type)).map((r) => r.name);
const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));
const namesOf = (type: string) => registered.filter((r) => r.type === type).map((r) => r.name);
let s: Awaited<ReturnType<typeof sectigo>>;

beforeAll(async () => {
  s = await sectigo(new Pki());
});

function args(overrides: Partial<CertificateDeploymentArgs> = {}): CertificateDeploymentArgs {
  return {
    certificate: s.leaf.pem,
    privateKey: pulumi.secret(s.leaf.keyPem),
    pool: pemOf(...s.rsaPool),
    clientProfiles: [
      { name: "legacy", roots: s.usertrustRsa.pem },
      { name: "modern", roots: s.r46.pem },
    ],
    targets: ["a", "b", "c"].map((name, i) => ({ kind: "local" as const, name, directory: `/srv/${name}`, endpoints: [{ host: "127.0.0.1", port: 8440 + i }] })),
    ...overrides,
  };
}

describe("CertificateDeployment", () => {
  it("chooses the widest chain in the program and explains it", async () => {
    const d = new CertificateDeployment("t1", args());
    expect((await valueOf(d.chain)).map((c) => c.sha256)).toEqual([s.leaf, s.r36, s.r46ByUsertrust].map((c) => c.cert.sha256));
    expect(await valueOf(d.chainPem)).toBe(pemOf(s.leaf, s.r36, s.r46ByUsertrust));
    expect(await valueOf(d.explanation)).toMatch(/chosen by widest: 2 of 2 profiles/);
    expect(await valueOf(d.report)).toMatch(/```mermaid/);
  });

  it("parallel: every target at once, one verification of every endpoint", async () => {
    registered.length = 0;
    const d = new CertificateDeployment("par", args());
    await valueOf(d.targetStatus);
    expect(children()).toEqual(["par-a", "par-b", "par-c", "par-verify"]);
    expect(namesOf("chainsmith:linux:TlsFiles")).toEqual(["par-a", "par-b", "par-c"]);
    expect(Object.keys(d.resources.targets)).toEqual(["a", "b", "c"]);
    expect(d.resources.checks).toHaveLength(1);
    const verify = registered.find((r) => r.name === "par-verify")!;
    expect(verify.inputs.endpoints).toEqual([8440, 8441, 8442].map((port) => ({ host: "127.0.0.1", port })));
    expect(verify.inputs.desiredChain).toBe(pemOf(s.leaf, s.r36, s.r46ByUsertrust));
    expect(namesOf("chainsmith:index:CertificateDeployment")).toEqual(["par"]);
  });

  it("canary: a verification of the first target, then the rest, then the whole", async () => {
    registered.length = 0;
    await valueOf(new CertificateDeployment("can", args({ rollout: "canary" })).targetStatus);
    expect(children()).toEqual(["can-a", "can-verify-canary", "can-b", "can-c", "can-verify"]);
    expect(registered.find((r) => r.name === "can-verify-canary")!.inputs.endpoints).toEqual([{ host: "127.0.0.1", port: 8440 }]);
  });

  it("sequential: each target followed by its own verification", async () => {
    registered.length = 0;
    await valueOf(new CertificateDeployment("seq", args({ rollout: "sequential" })).targetStatus);
    expect(children()).toEqual(["seq-a", "seq-verify-a", "seq-b", "seq-verify-b", "seq-c", "seq-verify-c"]);
  });

  it("targets get the chain and the key (PKCS#8, unencrypted, from a PFX too); the key is a secret", async () => {
    registered.length = 0;
    const pfx = writePfx([s.leaf.cert, s.r36.cert], s.leaf.key.privateKey, "pfx-pass-1", { profile: "modern" }).toString("base64");
    const d = new CertificateDeployment("pfx", args({ certificate: undefined, privateKey: undefined, pfx, pfxPassword: pulumi.secret("pfx-pass-1") }));
    expect((await valueOf(d.chain)).map((c) => c.sha256)).toEqual([s.leaf, s.r36, s.r46ByUsertrust].map((c) => c.cert.sha256));
    await valueOf(d.targetStatus);
    const target = registered.find((r) => r.name === "pfx-a")!;
    // A secret as the engine receives it: the secret signature around the value.
    expect(target.inputs.privateKey).toEqual({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: s.leaf.key.privateKey.export({ type: "pkcs8", format: "pem" }).toString() });
    expect(target.inputs.connection).toEqual({ kind: "local" });
    expect(target.inputs).toMatchObject({ preset: "nginx", directory: "/srv/a", reloadCommand: "", configTestCommand: "" });
    // The chain is public even from a secret PFX; the outputs hold no key.
    expect(await pulumi.isSecret(d.chain)).toBe(false);
    expect(JSON.stringify(await valueOf(d.report))).not.toMatch(/PRIVATE KEY/);
  });

  it("a linux target's per-file overrides (path, mode, owner, group) reach the provider", async () => {
    registered.length = 0;
    const files = { fullchain: { path: "/etc/ssl/site/fullchain.pem" }, privkey: { path: "/etc/ssl/site/key.pem", mode: 0o640, group: "ssl-cert" } };
    const target = {
      kind: "linux" as const,
      name: "web1",
      connection: { host: "127.0.0.1", user: "deploy", hostKeyFingerprints: ["SHA256:abc"] },
      files,
      endpoints: [{ host: "127.0.0.1", port: 8443 }],
    };
    await valueOf(new CertificateDeployment("files", args({ targets: [target] })).targetStatus);
    expect(registered.find((r) => r.name === "files-web1")!.inputs).toMatchObject({ preset: "nginx", files });
  });

  it("every argument may come from another resource: certificate, pool, profiles, host and endpoints as Outputs", async () => {
    registered.length = 0;
    const later = <T>(value: T) => pulumi.output(Promise.resolve(value));
    const target = {
      kind: "linux" as const,
      name: "vm",
      connection: { host: later("127.0.0.9"), user: "deploy", hostKeyFingerprints: later(["SHA256:abc"]) },
      directory: later("/etc/nginx/tls"),
      endpoints: [{ host: later("127.0.0.9"), port: 443 }],
    };
    const d = new CertificateDeployment(
      "out",
      args({ certificate: later(s.leaf.pem), pool: later(pemOf(...s.rsaPool)), clientProfiles: later([{ name: "legacy", roots: s.usertrustRsa.pem }]), policy: later("widest"), targets: [target] }),
    );
    expect((await valueOf(d.chain)).map((c) => c.sha256)).toEqual([s.leaf, s.r36, s.r46ByUsertrust].map((c) => c.cert.sha256));
    await valueOf(d.targetStatus);
    expect(registered.find((r) => r.name === "out-vm")!.inputs).toMatchObject({ connection: { kind: "ssh", host: "127.0.0.9", user: "deploy" }, directory: "/etc/nginx/tls" });
    expect(registered.find((r) => r.name === "out-verify")!.inputs.endpoints).toEqual([{ host: "127.0.0.9", port: 443 }]);
  });

  it("resource options given to the deployment reach every child; renamed targets and 0.1's children are taken over by aliases", async () => {
    const seen = new Map<string, pulumi.ResourceOptions>();
    const capture: pulumi.ResourceTransformation = ({ name, props, opts }) => {
      seen.set(name, opts);
      return { props, opts };
    };
    const anchor = new pulumi.ComponentResource("test:index:Anchor", "anchor");
    const targets = [{ kind: "local" as const, name: "web-b", previousNames: ["web-a"], directory: "/srv/b", endpoints: [{ host: "127.0.0.1", port: 8443 }] }];
    const d = new CertificateDeployment(
      "opts",
      args({ targets }),
      { retainOnDelete: true, ignoreChanges: ["reloadCommand"], customTimeouts: { create: "7m" }, deletedWith: anchor, transformations: [capture] },
    );
    await valueOf(d.targetStatus);
    for (const child of ["opts-web-b", "opts-verify"]) {
      expect(seen.get(child), child).toMatchObject({ retainOnDelete: true, ignoreChanges: ["reloadCommand"], customTimeouts: { create: "7m" }, deletedWith: anchor });
    }
    expect(seen.get("opts-web-b")!.aliases).toEqual([{ type: "pulumi-nodejs:dynamic:Resource" }, { name: "opts-web-a" }, { name: "opts-web-a", type: "pulumi-nodejs:dynamic:Resource" }]);
    expect(seen.get("opts-verify")!.aliases).toEqual([{ type: "pulumi-nodejs:dynamic:Resource" }]);
    expect(d.resources.targets["web-b"]).toBeInstanceOf(pulumi.CustomResource);
  });

  it("two targets with one name are refused at once, saying to rename one", () => {
    const twice = ["a", "a"].map((name) => ({ kind: "local" as const, name, directory: "/srv/x" }));
    expect(() => new CertificateDeployment("dup", args({ targets: twice }))).toThrow(/Target name a is used twice/);
  });

  it("azureVm and appService targets become the Windows components", async () => {
    registered.length = 0;
    const d = new compiled.CertificateDeployment(
      "az",
      args({
        targets: [
          { kind: "azureVm", name: "vm", resourceGroupName: "rg", vmName: "vm1", location: "westeurope", binding: { site: "Default Web Site", port: 443, host: "example.test" } },
          { kind: "appService", name: "app", resourceGroupName: "rg", location: "westeurope", webAppName: "web", hostName: "example.test", endpoints: [{ host: "example.test", port: 443 }] },
        ],
      }),
    );
    await valueOf(d.chain);
    await vi.waitFor(() => expect(namesOf("azure-native:web:WebAppHostNameBinding")).toEqual(["az-app-binding"]));
    expect(namesOf("chainsmith:windows:AzureVmIisCertificate")).toEqual(["az-vm"]);
    expect(namesOf("azure-native:compute:VirtualMachineRunCommandByVirtualMachine")).toContain("chainsmith-az-vm-inventory");
    expect(namesOf("chainsmith:windows:AppServiceCertificate")).toEqual(["az-app"]);
    expect(children()).toEqual(["az-verify"]);
  });

  it("an Azure target takes a chain known only later (from a PFX): its resources are named by the target", async () => {
    registered.length = 0;
    const pfx = writePfx([s.leaf.cert], s.leaf.key.privateKey, "p", { profile: "legacy" }).toString("base64");
    const d = new compiled.CertificateDeployment(
      "az2",
      args({ certificate: undefined, privateKey: undefined, pfx, pfxPassword: "p", targets: [{ kind: "appService", name: "app", resourceGroupName: "rg", location: "l", webAppName: "w", hostName: "h" }] }),
    );
    await valueOf(d.chain);
    await vi.waitFor(() => expect(namesOf("azure-native:web:Certificate")).toEqual(["az2-app-certificate"]));
  });

  it("an expired or not-yet-valid leaf is refused at once, saying when and to renew it, and no target is created", async () => {
    const expired = await s.pki.leaf("expired.example.test", s.r36, { notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") });
    const future = await s.pki.leaf("future.example.test", s.r36, { notBefore: new Date("2099-01-01T00:00:00Z"), notAfter: new Date("2100-01-01T00:00:00Z") });
    expect(() => new CertificateDeployment("expired", args({ certificate: expired.pem, privateKey: pulumi.secret(expired.keyPem) }))).toThrow(
      /^The leaf expired\.example\.test \[[0-9a-f]+\] expired on 2021-01-01T00:00:00\.000Z \(checked at .*\)\. Renew it and give the new certificate\.$/,
    );
    expect(() => new CertificateDeployment("future", args({ certificate: future.pem, privateKey: pulumi.secret(future.keyPem) }))).toThrow(
      /^The leaf future\.example\.test \[[0-9a-f]+\] is not valid before 2099-01-01T00:00:00\.000Z \(checked at .*\)\. Check the clock/,
    );
    expect(registered.filter((r) => /^(expired|future)-/.test(r.name))).toEqual([]);
  });

  it("certificate and pfx together, or neither, is refused at once with what to give", () => {
    expect(() => new CertificateDeployment("both", args({ pfx: "AAAA" }))).toThrow(/Give either certificate \(PEM, with privateKey\) or pfx \(base64, with pfxPassword\)/);
    expect(() => new CertificateDeployment("none", args({ certificate: undefined }))).toThrow(/not both and not neither/);
  });
});

describe("rollout in waves", () => {
  const targets = (count: number) => Array.from({ length: count }, (_, i) => ({ kind: "local" as const, name: `t${i + 1}`, directory: `/srv/t${i + 1}`, endpoints: [{ host: "127.0.0.1", port: 9440 + i }] }));
  const endpointsOf = (name: string) => registered.find((r) => r.name === name)!.inputs.endpoints;

  it("{ waves: 2 }: the first target and its check, then two targets at a time, each wave checked, the last by the final verification of all", async () => {
    registered.length = 0;
    const d = new CertificateDeployment("w", args({ targets: targets(5), rollout: { waves: 2 } }));
    await valueOf(d.targetStatus);
    expect(children()).toEqual(["w-t1", "w-verify-canary", "w-t2", "w-t3", "w-verify-wave-2", "w-t4", "w-t5", "w-verify"]);
    // The final verification reports every endpoint, once.
    expect(d.resources.checks.length).toBe(1);
    expect(endpointsOf("w-verify-wave-2")).toEqual([9441, 9442].map((port) => ({ host: "127.0.0.1", port })));
    expect(endpointsOf("w-verify")).toHaveLength(5);
  });

  it('{ waves: "50%" }: waves are a share of all targets, rounded up', async () => {
    registered.length = 0;
    await valueOf(new CertificateDeployment("p", args({ targets: targets(5), rollout: { waves: "50%" } })).targetStatus);
    expect(children()).toEqual(["p-t1", "p-verify-canary", "p-t2", "p-t3", "p-t4", "p-verify-wave-2", "p-t5", "p-verify"]);
  });

  it("each wave waits for the check of the wave before it (a failed wave stops the rest), and the final verification for everything", () => {
    const dependsOn = new Map<string, string[]>();
    const nodes = new Map<pulumi.Resource, string>();
    const node = (name: string, on: pulumi.Resource[]) => {
      const resource = new pulumi.ComponentResource("test:index:Node", name);
      dependsOn.set(name, on.map((r) => nodes.get(r)!));
      nodes.set(resource, name);
      return resource;
    };
    const { waves } = roll({ waves: 2 }, {
      targets: ["a", "b", "c", "d", "e"],
      nameOf: (t) => t,
      // Target c has no endpoint: its wave is still checked through b's; d and e have none: the final check covers the extra endpoint.
      endpointsOf: (t) => (["a", "b"].includes(t) ? [t] : []),
      extraEndpoints: ["x"],
      deploy: (t, on) => node(t, on),
      check: (suffix, endpoints, on) => node(`${suffix}(${endpoints.join(",")})`, on),
    });
    expect(Object.fromEntries(dependsOn)).toEqual({
      a: [],
      "verify-canary(a)": ["a"],
      b: ["verify-canary(a)"],
      c: ["verify-canary(a)"],
      "verify-wave-2(b)": ["b", "c"],
      d: ["verify-wave-2(b)"],
      e: ["verify-wave-2(b)"],
      "verify(a,b,x)": ["a", "b", "c", "d", "e", "verify-wave-2(b)"],
    });
    expect(waves.map((w) => w.targets)).toEqual([["a"], ["b", "c"], ["d", "e"]]);
  });

  it("a wave whose targets have no endpoints gates the next on the targets themselves", () => {
    const { waves } = roll({ waves: 1 }, { targets: ["a", "b"], nameOf: (t) => t, endpointsOf: () => [], extraEndpoints: [], deploy: (t) => new pulumi.ComponentResource("test:index:Node", `g-${t}`), check: () => assert.fail("no endpoint, no check") });
    expect(waves.map((w) => [w.targets, w.check])).toEqual([[["a"], undefined], [["b"], undefined]]);
  });

  it("logs the plan: how many waves, their sizes and first and last targets", async () => {
    const info = vi.spyOn(pulumi.log, "info").mockImplementation(() => Promise.resolve());
    try {
      await valueOf(new CertificateDeployment("plan", args({ targets: targets(10), rollout: { waves: "40%" } })).targetStatus);
      expect(info.mock.calls.map((c) => c[0])).toContain("chainsmith rollout: 4 waves, each verified before the next starts: 1 target (t1), 4 (t2 ... t5), 4 (t6 ... t9), 1 (t10)");
    } finally {
      info.mockRestore();
    }
  });

  it("a rollout that is not one of the kinds, or a wave size that is not a count or a share, is refused at once with what to give", () => {
    const refused = (rollout: unknown) => {
      try {
        new CertificateDeployment(`bad-${registered.length}`, args({ rollout: rollout as Rollout }));
      } catch (error) {
        return error as ChainsmithInputError;
      }
      return assert.fail(`${JSON.stringify(rollout)} was accepted`);
    };
    expect(refused("canery").message).toMatch(/^rollout "canery" is not a rollout\. Give "parallel", "sequential", "canary", or \{ waves: 10 \}/);
    for (const waves of [0, 2.5, -1, "0%", "150%", "ten", "10"]) {
      const error = refused({ waves });
      expect(error.code).toBe("bad-rollout");
      expect(error.message).toContain(`rollout waves ${JSON.stringify(waves)} is not a wave size. Give a whole number of targets per wave (10) or a share of all targets from 1% to 100% ("25%").`);
    }
  });
});
