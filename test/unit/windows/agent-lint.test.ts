// Rules on agent.ps1's syntax tree for what real Windows would do to it (test/support/agent-lint.ts):
// the agent passes every rule, and each rule finds the mistake it is there for, planted in a copy.
import { beforeAll, describe, expect, it } from "vitest";
import { agentScript } from "../../../providers/windows/agent-invocation";
import { Agent, chainBuildingFindings, chainPolicyFindings, filterFindings, readAgent, secretFindings, strayOutputFindings } from "../../support/agent-lint";
import { parsePowerShell } from "../../support/powershell-syntax";

const script = agentScript();
let agent: Agent;

async function planted(from: string, to: string): Promise<Agent> {
  expect(script).toContain(from);
  const { errors, tree } = await parsePowerShell(script.replace(from, to));
  expect(errors).toEqual([]);
  return readAgent(tree);
}

beforeAll(async () => {
  const { errors, tree } = await parsePowerShell(script);
  expect(errors).toEqual([]);
  agent = readAgent(tree);
}, 60_000);

describe("agent.ps1 on its syntax tree", () => {
  it("passes nothing derived from the request's secrets to a cmdlet or a native program, nor to its output", () => {
    expect(agent.functions.size).toBeGreaterThan(50);
    expect(secretFindings(agent)).toEqual([]);
  });

  it("finds a secret passed to a cmdlet: New-Object with the PFX and its password (event 4103 would record them)", async () => {
    const bad = await planted("[System.Security.Cryptography.X509Certificates.X509Certificate2]::new($pfx.bytes, $pfx.password, $Flags)", 'New-Object "$X509.X509Certificate2" $pfx.bytes, $pfx.password, $Flags');
    expect(secretFindings(bad)).toContainEqual(expect.stringMatching(/^Open-Pfx \(line \d+\): New-Object gets a value derived from the request's secrets$/));
  });

  it("finds a secret piped into a cmdlet (the payload parsed with ConvertFrom-Json), or given to a script function", async () => {
    const piped = await planted("if ($ChainsmithSecret) { $payload = $serializer.DeserializeObject($ChainsmithSecret) }", "if ($ChainsmithSecret) { $payload = $ChainsmithSecret | ConvertFrom-Json }");
    expect(secretFindings(piped)).toEqual([expect.stringMatching(/^Get-PfxPayload \(line \d+\): a value derived from the request's secrets is piped into ConvertFrom-Json$/)]);
    const helper = await planted("if ($ChainsmithSecret) { $payload = $serializer.DeserializeObject($ChainsmithSecret) }", "if ($ChainsmithSecret) { $payload = ConvertFrom-AgentJson $ChainsmithSecret }");
    expect(secretFindings(helper)).toEqual([expect.stringMatching(/^Get-PfxPayload \(line \d+\): ConvertFrom-AgentJson gets a value derived from the request's secrets$/)]);
  });

  it("finds a secret in an error message (Stop-Agent's text reaches the output and New-Object)", async () => {
    const bad = await planted("catch { Stop-Agent 'pfx-import-failed' 'The PFX could not be opened: wrong password or damaged file. Nothing was changed.' }", 'catch { Stop-Agent \'pfx-import-failed\' "The PFX could not be opened with $($pfx.password)." }');
    expect(secretFindings(bad)).toContainEqual(expect.stringMatching(/^Open-Pfx \(line \d+\): Stop-Agent gets a value derived from the request's secrets$/));
  });

  it("finds the payload key on a native program's command line", async () => {
    const bad = await planted("    Invoke-Native 'certutil.exe' @('-urlcache', '*', 'delete')", "    Invoke-Native 'certutil.exe' @('-urlcache', $PayloadKey, 'delete')");
    expect(secretFindings(bad)).toContainEqual(expect.stringMatching(/^Invoke-Step_flushChainCaches \(line \d+\): Invoke-Native gets a value derived from the request's secrets$/));
  });

  it("uses no -IPAddress/-HostHeader filters (wildcards: other bindings match), and finds one", async () => {
    expect(filterFindings(agent)).toEqual([]);
    const bad = await planted("  $binding = Find-ExactBinding $site $info", "  $binding = Get-WebBinding -Name $Step.site -Protocol https -IPAddress $Step.ip -Port $Step.port -HostHeader $Step.host");
    expect(filterFindings(bad)).toEqual([expect.stringContaining("Invoke-Step_replaceBinding (line"), expect.stringContaining("-HostHeader is a wildcard filter")]);
  });

  it("sets ApplicationPolicy serverAuth on every X509Chain it makes, and finds one that does not", async () => {
    expect(chainPolicyFindings(agent)).toEqual([]);
    const bad = await planted("  [void]$chain.ChainPolicy.ApplicationPolicy.Add([System.Security.Cryptography.Oid]::new('1.3.6.1.5.5.7.3.1'))\n", "");
    expect(chainPolicyFindings(bad)).toEqual([expect.stringMatching(/^New-ServerAuthChain: makes an X509Chain without/)]);
  });

  it("builds no chain outside the chain verb (checks and steps would start automatic root update), and finds the old self-signed check", async () => {
    expect(chainBuildingFindings(agent)).toEqual([]);
    const bad = await planted(
      "  [Chainsmith.NativeMethods]::CryptVerifyCertificateSignatureEx([IntPtr]::Zero, 1, 2, $Cert.Handle, 2, $Cert.Handle, 0, [IntPtr]::Zero)",
      "  $chain = New-ServerAuthChain\n  $chain.ChainPolicy.VerificationFlags = 'AllowUnknownCertificateAuthority'\n  [void]$chain.Build($Cert)\n  $chain.ChainElements.Count -eq 1",
    );
    expect(chainBuildingFindings(bad)).toContainEqual(expect.stringMatching(/^Invoke-Verb_apply -> Test-Step_moveToDisallowed -> Assert-Distrustable -> Test-SelfSigned \(line \d+\): builds a chain$/));
  });

  it("voids every call's output inside steps (only the step's line of words is its output), and finds a stray one", async () => {
    expect(strayOutputFindings(agent)).toEqual([]);
    const method = await planted("  try { [void]$s.Add($Cert) } finally { [void]$s.Close() }", "  try { $s.Add($Cert) } finally { [void]$s.Close() }");
    // X509Store.Add's result would become part of every step that adds a certificate.
    expect(strayOutputFindings(method)).toContainEqual(expect.stringMatching(/^Invoke-Step_importPfx \(line \d+\): Add-ToStore returns a value that reaches the step's output; void it$/));
    const cmdlet = await planted("  Register-ScheduledTask -TaskName $name -Action $action -Principal $principal -Force | Out-Null", "  Register-ScheduledTask -TaskName $name -Action $action -Principal $principal -Force");
    expect(strayOutputFindings(cmdlet)).toEqual([expect.stringMatching(/^Invoke-Step_flushChainCaches \(line \d+\): Register-ScheduledTask's output reaches the step's output; void it$/)]);
    const helper = await planted("  [void](Remove-FromStore $Step.from $Step.thumbprint)", "  Remove-FromStore $Step.from $Step.thumbprint");
    expect(strayOutputFindings(helper)).toEqual([expect.stringMatching(/^Invoke-Step_moveToDisallowed \(line \d+\): Remove-FromStore returns a value that reaches the step's output; void it$/)]);
  });
});
