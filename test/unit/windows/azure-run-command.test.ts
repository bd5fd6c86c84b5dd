// Azure VM Run Command under Pulumi mocks (no Azure here): the mocked "VM" runs each
// command against the simulated host model, as the Run Command extension would run
// agent.ps1 with its parameters. The inputs of every resource are asserted.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { readPfx } from "../../../chain/pfx-read";
import { agentScript } from "../../../providers/windows/agent-invocation";
import { AzureVmIisCertificate, contentHash } from "../../../components/azure/azure-vm-iis-certificate";
import { AgentRequest, RESULT_MARKER } from "../../../providers/windows/contract";
import { pemOf } from "../../../harness/pki";
import { sectigo } from "../../../harness/scenarios";
import { Sectigo, bindLeaf, sectigoHost } from "../../support/simulated-windows-host/field-hosts";
import { SimulatedWindowsHost } from "../../support/simulated-windows-host/host-model";

const RUN_COMMAND = "azure-native:compute:VirtualMachineRunCommandByVirtualMachine";
const GET_RUN_COMMAND = "azure-native:compute:getVirtualMachineRunCommandByVirtualMachine";
const valueOf = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
// How the engine protocol marks a secret value; mocks receive secrets still wrapped in it.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const isWrappedSecret = (v: unknown): v is { value: unknown } => typeof v === "object" && v !== null && SECRET_SIG in v;
const unwrap = <T>(v: unknown) => (isWrappedSecret(v) ? v.value : v) as T;

interface Param {
  name: string;
  value: string;
}
interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown> & { parameters?: Param[]; protectedParameters?: unknown; runCommandName?: string };
}

let s: Sectigo;
let host: SimulatedWindowsHost;
const resources: Recorded[] = [];
const outputs = new Map<string, string>();

beforeAll(async () => {
  s = await sectigo();
  host = sectigoHost(s);
  bindLeaf(host, await s.pki.leaf("example.test", s.r36), { host: "example.test" });
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        if (args.type === RUN_COMMAND) {
          const param = (list: Param[] | undefined, name: string) => list?.find((p) => p.name === name)?.value;
          const request = JSON.parse(param(args.inputs.parameters, "InputJson")!) as AgentRequest;
          const prot = unwrap<Param[] | undefined>(args.inputs.protectedParameters);
          const pfxBase64 = param(prot, "PfxBase64");
          const withPfx: AgentRequest = request.verb === "apply" && pfxBase64 ? { ...request, pfx: { base64: pfxBase64, password: param(prot, "PfxPassword")! } } : request;
          outputs.set(args.inputs.runCommandName, `${RESULT_MARKER}${JSON.stringify(host.handle(withPfx))}\r\n`);
        }
        return { id: `${args.name}-id`, state: { ...args.inputs, name: args.inputs.runCommandName ?? args.name } };
      },
      call: (args) => {
        if (args.token !== GET_RUN_COMMAND) throw new Error(`unexpected call ${args.token}`);
        expect(args.inputs.expand).toBe("instanceView");
        return { instanceView: { output: outputs.get(args.inputs.runCommandName) ?? "", error: "", exitCode: 0 } };
      },
    },
    "chainsmith",
    "test",
    false,
  );
});

function vmArgs(vmName: string) {
  return {
    resourceGroupName: "rg-web",
    vmName,
    location: "westeurope",
    chain: pemOf(s.leaf, s.r36, s.r46ByUsertrust),
    privateKey: s.leaf.keyPem,
    binding: { site: "Default Web Site", port: 443, host: "example.test" },
    at: s.at,
  };
}

describe("AzureVmIisCertificate (Run Command, under Pulumi mocks)", () => {
  it("runs inventory, apply and chain with the agent script, secrets only in protectedParameters, and verifies what Windows builds", async () => {
    const component = new AzureVmIisCertificate("web1", { ...vmArgs("web1"), knownCertificates: [s.r46.cert], runToken: "2026-06-01" });
    expect(await valueOf(component.matchesDesired)).toBe(true);
    expect(await valueOf(component.windowsBuilds)).toEqual([s.leaf.cert.label, s.r36.cert.label, s.r46ByUsertrust.cert.label, s.usertrustRsa.cert.label]);
    expect(await valueOf(component.preview)).toMatch(/^IIS serves now: .*anchor Sectigo Public Server Authentication Root R46 .* from Root\); after apply: .*anchor USERTrust RSA Certification Authority/);
    expect(await valueOf(component.done)).toContain(`moved ${s.r46.cert.sha1} from Root to Disallowed`);
    expect(host.has("Disallowed", s.r46.cert)).toBe(true);

    const runs = resources.filter((r) => r.type === RUN_COMMAND);
    expect(runs.map((r) => r.inputs.runCommandName)).toEqual(["chainsmith-web1-inventory", `chainsmith-web1-apply-${s.leaf.cert.sha1.slice(0, 12).toLowerCase()}`, "chainsmith-web1-chain"]);
    for (const r of runs) {
      expect(r.inputs).toMatchObject({ resourceGroupName: "rg-web", vmName: "web1", location: "westeurope", source: { script: agentScript() }, treatFailureAsDeploymentFailure: true, asyncExecution: false, timeoutInSeconds: 600 });
      const params = r.inputs.parameters!;
      expect(params.map((p) => p.name)).toEqual(["InputJson", "ContentHash"]);
      expect(params[1].value).toMatch(/^[0-9a-f]{64}$/);
      expect(params[0].value).not.toContain("pfx");
    }
    expect(JSON.parse(runs[0].inputs.parameters![0].value)).toEqual({ verb: "inventory" });
    expect(runs[0].inputs.parameters![1].value).toBe(contentHash(agentScript(), '{"verb":"inventory"}', `${s.leaf.cert.sha256}|${JSON.stringify({ site: "Default Web Site", port: 443, host: "example.test" })}|2026-06-01`));
    expect(JSON.parse(runs[1].inputs.parameters![0].value).steps.map((st: { kind: string }) => st.kind)).toEqual(["importCertificate", "moveToDisallowed", "importPfx", "replaceBinding", "removeCertificate"]);
    expect(JSON.parse(runs[2].inputs.parameters![0].value)).toEqual({ verb: "chain", thumbprint: s.leaf.cert.sha1 });
    expect(runs[0].inputs.protectedParameters).toBeUndefined();
    expect(runs[2].inputs.protectedParameters).toBeUndefined();

    expect(isWrappedSecret(runs[1].inputs.protectedParameters)).toBe(true); // reaches the engine as a secret
    const prot = unwrap<Param[]>(runs[1].inputs.protectedParameters);
    expect(prot.map((p) => p.name)).toEqual(["PfxBase64", "PfxPassword"]);
    const contents = readPfx(Buffer.from(prot[0].value, "base64"), prot[1].value, "pfx");
    expect(contents.certificates.map((c) => c.sha256)).toEqual([s.leaf.cert.sha256]); // leaf only
    expect(Buffer.from(prot[0].value, "base64").toString("hex")).toContain("2a864886f70d010c0103"); // pbeWithSHAAnd3-KeyTripleDES-CBC
    const publicInputs = JSON.stringify(runs.map((r) => ({ ...r.inputs, protectedParameters: undefined })));
    expect(publicInputs).not.toContain(prot[1].value);
    expect(publicInputs).not.toContain(s.leaf.keyPem.split("\n")[1]);
  });

  it("keeps the PFX secret in the program", async () => {
    const component = new AzureVmIisCertificate("web2", vmArgs("web2"));
    const prot = await valueOf(component.applyRun.protectedParameters);
    expect(prot?.map((p) => p.name)).toEqual(["PfxBase64", "PfxPassword"]);
    expect(await pulumi.isSecret(component.applyRun.protectedParameters as pulumi.Output<unknown>)).toBe(true);
  });
});
