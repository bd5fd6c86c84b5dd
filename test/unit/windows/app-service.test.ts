// Azure App Service under Pulumi mocks (no Azure here): the inputs of every resource are
// asserted, and the verdict on what an App Service endpoint serves is checked.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { readPfx } from "../../../chain/pfx-read";
import { AppServiceCertificate, appServiceVerdict } from "../../../components/azure/app-service-certificate";
import { pemOf } from "../../../harness/pki";
import { sectigo } from "../../../harness/scenarios";
import { Sectigo, desiredRsa } from "../../support/simulated-windows-host/field-hosts";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const isWrappedSecret = (v: unknown): v is { value: string } => typeof v === "object" && v !== null && SECRET_SIG in v;
const valueOf = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

let s: Sectigo;
const resources: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

beforeAll(async () => {
  s = await sectigo();
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        const extra = args.type === "azure-native:web:Certificate" ? { thumbprint: s.leaf.cert.sha1 } : {};
        return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
      },
      call: () => {
        throw new Error("no invokes expected");
      },
    },
    "chainsmith",
    "test",
    false,
  );
});

describe("AppServiceCertificate", () => {
  it("uploads a 3DES PFX as secrets and binds it by SNI, warning that only the leaf and its issuer will be sent", async () => {
    const component = new AppServiceCertificate("shop", {
      resourceGroupName: "rg-shop",
      location: "westeurope",
      webAppName: "shop-app",
      serverFarmId: "/subscriptions/0/resourceGroups/rg-shop/providers/Microsoft.Web/serverfarms/plan",
      hostName: "example.test",
      chain: pemOf(s.leaf, s.r36, s.r46ByUsertrust),
      privateKey: s.leaf.keyPem,
    });
    await valueOf(component.binding.thumbprint);
    const cert = resources.find((r) => r.type === "azure-native:web:Certificate")!;
    const binding = resources.find((r) => r.type === "azure-native:web:WebAppHostNameBinding")!;
    expect(cert.name).toBe("shop-certificate"); // named by the target: the chain may be unknown at preview
    expect(cert.inputs).toMatchObject({ resourceGroupName: "rg-shop", location: "westeurope", hostNames: ["example.test"], serverFarmId: expect.stringContaining("serverfarms/plan") });
    expect(isWrappedSecret(cert.inputs.pfxBlob) && isWrappedSecret(cert.inputs.password)).toBe(true);
    const pfx = Buffer.from((cert.inputs.pfxBlob as { value: string }).value, "base64");
    const contents = readPfx(pfx, (cert.inputs.password as { value: string }).value, "pfx");
    expect(contents.certificates.map((c) => c.sha256)).toEqual(desiredRsa(s).map((c) => c.sha256));
    expect(pfx.toString("hex")).toContain("2a864886f70d010c0103"); // pbeWithSHAAnd3-KeyTripleDES-CBC
    expect(binding.inputs).toEqual({ resourceGroupName: "rg-shop", name: "shop-app", hostName: "example.test", sslState: "SniEnabled", thumbprint: s.leaf.cert.sha1 });
    expect(await valueOf(component.expectedServed)).toEqual([s.leaf.cert.label, s.r36.cert.label]);
    expect(await valueOf(component.warning)).toContain(`App Service sends only the leaf and its issuer`);
    expect(await valueOf(component.warning)).toContain(`${s.r46ByUsertrust.cert.label} will not be sent`);
    // The same chain and key make the same PFX: no diff, no ignoreChanges needed.
    const again = new AppServiceCertificate("shop-again", { resourceGroupName: "rg-shop", location: "westeurope", webAppName: "shop-app", hostName: "example.test", chain: pemOf(s.leaf, s.r36, s.r46ByUsertrust), privateKey: s.leaf.keyPem });
    await valueOf(again.binding.thumbprint);
    const second = resources.find((r) => r.name === "shop-again-certificate")!;
    expect((second.inputs.pfxBlob as { value: string }).value).toBe((cert.inputs.pfxBlob as { value: string }).value);
  });

  it("judges what the endpoint served, as reported or not", () => {
    const desired = desiredRsa(s);
    expect(appServiceVerdict(desired, desired.slice(0, 2))).toMatchObject({ matches: false, message: expect.stringContaining("App Service sends only the leaf and its issuer") });
    expect(appServiceVerdict(desired, desired)).toMatchObject({ matches: true });
    expect(appServiceVerdict(desired, [s.leaf.cert])).toMatchObject({ matches: false, message: expect.stringMatching(/^App Service serves example\.test \[\w+\] instead of/) });
    expect(appServiceVerdict(desired.slice(0, 2), desired.slice(0, 2)).matches).toBe(true);
  });
});
