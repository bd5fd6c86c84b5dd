// The Azure targets with a certificate, pool and key that come from other resources (Outputs
// unknown at preview), under Pulumi mocks in preview mode: nothing is named after the leaf,
// nothing throws, and what depends on the chain is unknown until the apply. The PFX input
// is the same for the same leaf and key, and changes with either (chainsmith's own
// deterministic PKCS#12 writer: password and every salt derived by HMAC).
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { AppServiceCertificate } from "../../../components/azure/app-service-certificate";
import { AzureVmIisCertificate } from "../../../components/azure/azure-vm-iis-certificate";
import { pfxPayload, sealPfx } from "../../../providers/windows/pfx-payload";
import { Pki } from "../../../harness/pki";
import { sectigo } from "../../../harness/scenarios";
import { RecordedResource, runCommandMocks } from "../../support/simulated-windows-host/azure-run-command";
import { SimulatedWindowsHost } from "../../support/simulated-windows-host/host-model";

const recorded: RecordedResource[] = [];
let s: Awaited<ReturnType<typeof sectigo>>;

class Issued extends pulumi.CustomResource {
  declare readonly certPem: pulumi.Output<string>;
  declare readonly keyPem: pulumi.Output<string>;
  constructor(name: string) {
    super("test:index:Issued", name, { certPem: undefined, keyPem: undefined });
  }
}
const isKnown = (o: pulumi.Output<unknown>) => (o as unknown as { isKnown: Promise<boolean> }).isKnown;

beforeAll(async () => {
  s = await sectigo(new Pki());
  pulumi.runtime.setMocks(runCommandMocks(() => new SimulatedWindowsHost({ at: s.at }), recorded, { preview: true }), "chainsmith", "preview", true);
});

describe("Azure targets with Outputs unknown at preview", () => {
  it("AzureVmIisCertificate: the runs are planned under the target's name; the answers are unknown", async () => {
    const issued = new Issued("acme-vm");
    const vm = new AzureVmIisCertificate("vm1", { resourceGroupName: "rg", vmName: "vm1", location: "westeurope", chain: issued.certPem, privateKey: pulumi.secret(issued.keyPem), knownCertificates: issued.certPem, binding: { site: "Default Web Site", port: 443, host: "www.example.test" } });
    expect(await isKnown(vm.preview)).toBe(false);
    expect(await isKnown(vm.matchesDesired)).toBe(false);
    await vi.waitFor(() => expect(recorded.filter((r) => r.type.endsWith("VirtualMachineRunCommandByVirtualMachine")).map((r) => r.name)).toEqual(["chainsmith-vm1-inventory", "chainsmith-vm1-apply", "chainsmith-vm1-chain"]));
  });

  it("AppServiceCertificate: the certificate is named by the target, its PFX and the warning unknown until the chain is", async () => {
    const issued = new Issued("acme-app");
    const app = new AppServiceCertificate("app1", { resourceGroupName: "rg", location: "westeurope", webAppName: "web", hostName: "www.example.test", chain: issued.certPem, privateKey: pulumi.secret(issued.keyPem) });
    expect(await isKnown(app.warning)).toBe(false);
    expect(await isKnown(app.expectedServed)).toBe(false);
    await vi.waitFor(() => expect(recorded.filter((r) => r.type === "azure-native:web:Certificate").map((r) => r.name)).toEqual(["app1-certificate"]));
  });
});

describe("the PFX payload", () => {
  it("is the same for the same certificates and key, and another leaf or key changes it, password and seal included", async () => {
    const a = pfxPayload([s.leaf.cert], s.leaf.key.privateKey, "legacy");
    expect(pfxPayload([s.leaf.cert], s.leaf.key.privateKey, "legacy")).toEqual(a);
    const renewed = await s.pki.leaf("example.test", s.r36, { sameKeyAs: s.leaf });
    const rekeyed = await s.pki.leaf("example.test", s.r36);
    const b = pfxPayload([renewed.cert], s.leaf.key.privateKey, "legacy");
    const c = pfxPayload([rekeyed.cert], rekeyed.key.privateKey, "legacy");
    for (const other of [b, c]) {
      expect(other.base64).not.toBe(a.base64);
      expect(other.password).not.toBe(a.password);
    }
    expect(sealPfx(a, s.leaf.key.privateKey, s.leaf.cert)).toEqual(sealPfx(a, s.leaf.key.privateKey, s.leaf.cert));
    expect(sealPfx(c, rekeyed.key.privateKey, rekeyed.cert).key).not.toBe(sealPfx(a, s.leaf.key.privateKey, s.leaf.cert).key);
  });
});
