// examples/azure-vm-run-command and examples/app-service run as Pulumi programs under mocks
// (a mock: no Azure account here, and no engine): they load, choose the chain from their
// config and create the Azure resources a user would get.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { Pki, pemOf } from "../../../harness/pki";
import { sectigo } from "../../../harness/scenarios";
import { RUN_COMMAND_TYPE, runCommandMocks } from "../../support/simulated-windows-host/azure-run-command";
import { sectigoSiteHost } from "../../support/simulated-windows-host/field-hosts";
import { SimulatedWindowsHost } from "../../support/simulated-windows-host/host-model";

// The examples import "chainsmith" as an installed package: here, the compiled checkout.
vi.mock("chainsmith", () => require("../../../dist/index.js"));

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
let dir: string;
let keyPem: string;
let s: Awaited<ReturnType<typeof sectigo>>;
let host: SimulatedWindowsHost;

beforeAll(async () => {
  s = await sectigo(new Pki());
  keyPem = s.leaf.keyPem;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-azure-examples-"));
  fs.writeFileSync(path.join(dir, "cert.pem"), s.leaf.pem);
  fs.writeFileSync(path.join(dir, "pool.pem"), pemOf(...s.rsaPool));
  fs.writeFileSync(path.join(dir, "r46.pem"), s.r46.pem);
  return () => fs.rmSync(dir, { recursive: true, force: true });
});

async function runExample(project: string, example: string, config: Record<string, string>): Promise<void> {
  registered.length = 0;
  host = await sectigoSiteHost(s);
  pulumi.runtime.setMocks(runCommandMocks(() => host, registered, { extraState: () => ({ served: [], drift: [] }) }), project, "dev", false);
  const all: Record<string, string> = { "azure-native:location": "westeurope" };
  for (const [k, v] of Object.entries(config)) all[`${project}:${k}`] = v;
  pulumi.runtime.setAllConfig(all, [`${project}:privateKey`]);
  await import(/* @vite-ignore */ path.join(__dirname, "../../../examples", example, "index.ts"));
}

const common = () => ({
  certificateFile: path.join(dir, "cert.pem"),
  poolFile: path.join(dir, "pool.pem"),
  privateKey: keyPem,
  resourceGroupName: "rg-web",
  hostName: "example.test",
  clientProfiles: JSON.stringify([`modern=${path.join(dir, "r46.pem")}`]),
});

describe("Azure examples under Pulumi mocks", () => {
  it("azure-vm-run-command: the agent's three Run Commands on the VM, and the verification", async () => {
    await runExample("chainsmith-azure-vm-run-command", "azure-vm-run-command", { ...common(), vmName: "win-web-1" });
    await vi.waitFor(() => expect(registered.filter((r) => r.type === RUN_COMMAND_TYPE)).toHaveLength(3));
    expect(registered.map((r) => r.name)).toEqual(expect.arrayContaining(["www", "www-vm1", "chainsmith-www-vm1-inventory", "chainsmith-www-vm1-apply", "chainsmith-www-vm1-chain", "www-verify"]));
    // The simulated VM behind the mock was arranged by the agent's runs.
    await vi.waitFor(() => expect(host.bindings().map((b) => b.certificateHash)).toEqual([s.leaf.cert.sha1]));
  });

  it("app-service: the certificate and its SNI binding, and the verification", async () => {
    await runExample("chainsmith-app-service", "app-service", { ...common(), webAppName: "web-prod" });
    await vi.waitFor(() => expect(registered.map((r) => r.type)).toContain("azure-native:web:WebAppHostNameBinding"));
    expect(registered.map((r) => r.type)).toEqual(expect.arrayContaining(["chainsmith:index:CertificateDeployment", "chainsmith:windows:AppServiceCertificate", "azure-native:web:Certificate", "chainsmith:index:ServedChainCheck"]));
  });
});
