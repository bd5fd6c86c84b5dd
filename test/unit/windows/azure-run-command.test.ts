// Azure VM Run Command under Pulumi mocks (no Azure here): every Run Command goes through a
// mock as strict as the service is reported to be (cmd.exe command line, 8,191 characters,
// 4,096-byte instance view), against a simulated host of about 150 certificates with
// RSA-4096 roots. The inputs of every resource are asserted.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { readPfx } from "../../../chain/pfx-read";
import { AzureVmIisCertificate, RUN_COMMAND_OUTPUT_LIMIT } from "../../../components/azure/azure-vm-iis-certificate";
import { agentScript, agentScriptWith, parseAgentOutput } from "../../../providers/windows/agent-invocation";
import { GZIP_RESULT_MARKER } from "../../../providers/windows/contract";
import { focusOf } from "../../../providers/windows/windows-target";
import { unsealPfx } from "../../../providers/windows/pfx-payload";
import { pemOf } from "../../../harness/pki";
import { RecordedResource, RUN_COMMAND_TYPE, cmdExeWords, isWrappedSecret, runCommand, runCommandMocks, unwrapSecret } from "../../support/simulated-windows-host/azure-run-command";
import { SectigoRsa4096, productionHost, sectigoRsa4096 } from "../../support/simulated-windows-host/field-hosts";
import { SimulatedWindowsHost } from "../../support/simulated-windows-host/host-model";

const valueOf = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
const site = "Default Web Site";

let s: SectigoRsa4096;
let host: SimulatedWindowsHost;
const resources: RecordedResource[] = [];

beforeAll(async () => {
  s = await sectigoRsa4096();
  host = await productionHost(s);
  pulumi.runtime.setMocks(runCommandMocks(() => host, resources), "chainsmith", "test", false);
}, 120_000);

function vmArgs(vmName: string) {
  return {
    resourceGroupName: "rg-web",
    vmName,
    location: "westeurope",
    chain: pemOf(s.leaf, s.r36, s.r46ByUsertrust),
    privateKey: s.leaf.keyPem,
    knownCertificates: pemOf(...s.pool),
    binding: { site, port: 443, host: "www.example.test" },
    at: s.at,
  };
}

const runsOf = (component: string) => resources.filter((r) => r.type === RUN_COMMAND_TYPE && (r.inputs.runCommandName as string).startsWith(`chainsmith-${component}-`));

describe("the Run Command mock is as strict as Run Command", () => {
  it("cmd.exe splits values at spaces, strips quotes, drops ^ and %...%, and loses everything after & | < >", () => {
    expect(cmdExeWords("powershell.exe -File x.ps1 -Site Default Web Site").words.slice(3)).toEqual(["-Site", "Default", "Web", "Site"]);
    expect(cmdExeWords('ps -Json {"verb":"inventory"}').words.slice(1)).toEqual(["-Json", "{verb:inventory}"]);
    expect(cmdExeWords("ps -P a^b%PATH%c").words.slice(1)).toEqual(["-P", "abc"]);
    expect(cmdExeWords("ps -P abc&calc -Q x")).toEqual({ words: ["ps", "-P", "abc"], lost: "calc" });
  });

  it("a request passed as a parameter does not survive (the old way): refused, or split at the site's spaces", () => {
    const json = JSON.stringify({ verb: "inventory", focus: focusOf({ desiredChain: [s.leaf.cert], binding: { site, port: 443 } }) });
    const asParameter = runCommand(host, agentScript(), [{ name: "InputJson", value: json }]);
    expect(asParameter).toMatchObject({ exitCode: 1, error: expect.stringContaining("A parameter cannot be found that matches parameter name 'InputJson'") });
    expect(runCommand(host, agentScript(), [{ name: "PayloadKey", value: "Default Web Site" }])).toMatchObject({ exitCode: 1, error: expect.stringContaining("positional parameter cannot be found that accepts argument 'Web'") });
    expect(runCommand(host, agentScript(), [{ name: "PayloadKey", value: "x".repeat(8200) }])).toMatchObject({ exitCode: 1, error: "The command line is too long.\r\n" });
  });

  it("the instance view keeps only the last 4,096 bytes: an unlimited answer of this host loses its result marker", () => {
    const everything = focusOf({ desiredChain: [s.leaf.cert, s.r36.cert, s.r46ByUsertrust.cert], binding: { site, port: 443 } });
    const names = [...host.stores.values()].flatMap((m) => [...m.values()]).map((c) => c.cert);
    const wide = { ...everything, thumbprints: names.map((c) => c.sha1) };
    const view = runCommand(host, agentScriptWith({ verb: "inventory", focus: wide }));
    expect(Buffer.byteLength(view.output)).toBe(4096);
    expect(() => parseAgentOutput(view.output, view.error, "vm", [])).toThrow(expect.objectContaining({ code: "agent-output-not-json" }));
    // The same request with outputLimit: it does not fit even without DER, and says so in a line that does.
    const limited = runCommand(host, agentScriptWith({ verb: "inventory", focus: wide, outputLimit: RUN_COMMAND_OUTPUT_LIMIT }));
    expect(parseAgentOutput(limited.output, limited.error, "vm", [])).toMatchObject({ ok: false, error: { code: "answer-too-large" } });
  });
});

describe("AzureVmIisCertificate (Run Command, under Pulumi mocks)", () => {
  it("deploys on a 150-certificate host with RSA-4096 roots through the 4 KB tail and cmd.exe: each answer fits, the request rides in the script, only the payload key is a parameter", async () => {
    expect([...host.stores.values()].reduce((n, m) => n + m.size, 0)).toBeGreaterThan(140);
    const component = new AzureVmIisCertificate("web1", { ...vmArgs("web1"), runToken: "2026-06-01" });
    expect(await valueOf(component.matchesDesired)).toBe(true);
    expect(await valueOf(component.windowsBuilds)).toEqual([s.leaf.cert.label, s.r36.cert.label, s.r46ByUsertrust.cert.label, expect.stringMatching(/^USERTrust RSA Certification Authority \[/)]);
    expect(await valueOf(component.preview)).toMatch(/^IIS serves now: .*anchor Sectigo Public Server Authentication Root R46 .* from Root\); after apply: .*anchor USERTrust RSA Certification Authority/);
    expect(await valueOf(component.done)).toContain(`moved ${s.r46.cert.sha1} from Root to Disallowed`);
    expect(host.has("Disallowed", s.r46.cert)).toBe(true);

    const runs = runsOf("web1");
    expect(runs.map((r) => r.inputs.runCommandName)).toEqual(["chainsmith-web1-inventory", "chainsmith-web1-apply", "chainsmith-web1-chain"]);
    const sizes: Record<string, number> = {};
    for (const r of runs) {
      expect(r.inputs).toMatchObject({ resourceGroupName: "rg-web", vmName: "web1", location: "westeurope", treatFailureAsDeploymentFailure: true, asyncExecution: false, timeoutInSeconds: 600 });
      expect(r.inputs.parameters).toBeUndefined();
      const script = unwrapSecret<{ script: string }>(r.inputs.source).script;
      const request = JSON.parse(Buffer.from(/^\$EmbeddedRequest = '(.*)'$/m.exec(script)![1], "base64").toString("utf8"));
      expect(request.outputLimit).toBe(4096);
      const view = runCommand(host, script, [], unwrapSecret(r.inputs.protectedParameters) ?? []);
      sizes[r.inputs.runCommandName as string] = Buffer.byteLength(view.output);
      expect(view.output.startsWith("CHAINSMITH-AGENT-RESULT")).toBe(true); // whole, not a tail
    }
    expect(Object.values(sizes).every((n) => n < 4096)).toBe(true);
    console.log(`Run Command answer sizes on the 150-certificate host (bytes): ${JSON.stringify(sizes)}`);

    const apply = runs[1];
    const protectedParameters = unwrapSecret<{ name: string; value: string }[]>(apply.inputs.protectedParameters);
    expect(isWrappedSecret(apply.inputs.protectedParameters)).toBe(true);
    expect(protectedParameters.map((p) => p.name)).toEqual(["PayloadKey"]);
    expect(protectedParameters[0].value).toMatch(/^[0-9a-f]{64}$/);
    expect(runs[0].inputs.protectedParameters).toBeUndefined();
    const script = unwrapSecret<{ script: string }>(apply.inputs.source).script;
    const request = JSON.parse(Buffer.from(/^\$EmbeddedRequest = '(.*)'$/m.exec(script)![1], "base64").toString("utf8"));
    expect(request.steps.map((st: { kind: string }) => st.kind)).toEqual(["importCertificate", "moveToDisallowed", "importPfx", "replaceBinding"]);
    expect(request.pfx).toBeUndefined();
    const pfx = unsealPfx(request.sealedPfx, protectedParameters[0].value);
    const contents = readPfx(Buffer.from(pfx.base64, "base64"), pfx.password, "pfx");
    expect(contents.certificates.map((c) => c.sha256)).toEqual([s.leaf.cert.sha256]); // leaf only
    expect(Buffer.from(pfx.base64, "base64").toString("hex")).toContain("2a864886f70d010c0103"); // pbeWithSHAAnd3-KeyTripleDES-CBC
    const everything = JSON.stringify(resources.map((r) => ({ ...r.inputs, protectedParameters: undefined })));
    for (const secret of [pfx.password, pfx.base64.slice(0, 60), s.leaf.keyPem.split("\n")[1]]) expect(everything).not.toContain(secret);
  }, 120_000);

  it("the PFX and its seal are the same for the same leaf and key, so a re-run with an unchanged plan changes no input", async () => {
    const apply = async (name: string) => {
      host = await productionHost(s);
      await valueOf(new AzureVmIisCertificate(name, vmArgs(name)).done);
      const run = runsOf(name)[1];
      return { source: unwrapSecret<{ script: string }>(run.inputs.source).script.replace(/chainsmith-\w+-/g, ""), key: unwrapSecret<{ value: string }[]>(run.inputs.protectedParameters)[0].value };
    };
    expect(await apply("same-b")).toEqual(await apply("same-a"));
  }, 120_000);

  it("keeps the PFX secret in the program", async () => {
    host = await productionHost(s);
    const component = new AzureVmIisCertificate("web2", vmArgs("web2"));
    expect(await pulumi.isSecret(component.applyRun.protectedParameters as pulumi.Output<unknown>)).toBe(true);
    expect(await pulumi.isSecret(component.applyRun.source as pulumi.Output<unknown>)).toBe(true);
  });

  it("more host certificates than fit: their DER is left out (the prediction says so), the plan and the apply still work", async () => {
    host = await productionHost(s);
    // Same-named CAs with other keys (a crowded CA store): the walk reaches them, the plan ignores them.
    for (let i = 0; i < 6; i++) host.addCertificate("CA", (await s.pki.intermediate("Sectigo Public Server Authentication CA DV R36", s.aaa, { keyType: "rsa" })).cert);
    const component = new AzureVmIisCertificate("crowded", vmArgs("crowded"));
    expect(await valueOf(component.preview)).toContain("not seen by the model, their DER did not fit in the agent's output");
    expect(await valueOf(component.matchesDesired)).toBe(true);
  }, 120_000);
});

describe("the gzip framing", () => {
  it("is what an answer over the limit uses", () => {
    const view = runCommand(host, agentScriptWith({ verb: "inventory", focus: focusOf({ desiredChain: [s.leaf.cert, s.r36.cert, s.r46ByUsertrust.cert], binding: { site, port: 443, host: "www.example.test" } }), outputLimit: RUN_COMMAND_OUTPUT_LIMIT }));
    expect(view.output.startsWith(GZIP_RESULT_MARKER)).toBe(true);
    expect(parseAgentOutput(view.output, view.error, "vm", [])).toMatchObject({ ok: true, verb: "inventory" });
  });
});
