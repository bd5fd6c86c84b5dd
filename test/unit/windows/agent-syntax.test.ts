// No PowerShell can be installed on this machine (README), so the agent's syntax is checked
// with the tree-sitter PowerShell grammar (installed by scripts/setup.sh): the script and the
// -EncodedCommand bootstrap must parse without an error, and a planted mistake must be found.
import { describe, expect, it } from "vitest";
import { BOOTSTRAP, agentScript, agentScriptWith } from "../../../providers/windows/agent-invocation";
import { parsePowerShell } from "../../support/powershell-syntax";

const syntaxErrors = async (source: string) => (await parsePowerShell(source)).errors;

describe("the Windows agent's PowerShell syntax", () => {
  it("agent.ps1 parses without an error, and so does it with a request embedded (what Azure Run Command runs)", async () => {
    expect(await syntaxErrors(agentScript())).toEqual([]);
    expect(await syntaxErrors(agentScriptWith({ verb: "chain", thumbprint: "AB", outputLimit: 4096, runToken: "x' ; calc" }))).toEqual([]);
  });

  it("the -EncodedCommand bootstrap parses without an error", async () => {
    expect(await syntaxErrors(BOOTSTRAP)).toEqual([]);
  });

  it("finds a planted mistake: a function's block left open", async () => {
    const script = agentScript();
    const broken = script.replace("function ConvertTo-Hex([byte[]]$Bytes) { [BitConverter]::ToString(", "function ConvertTo-Hex([byte[]]$Bytes) { [BitConverter]::ToString((");
    expect(broken).not.toBe(script);
    expect((await syntaxErrors(broken)).length).toBeGreaterThan(0);
  });

  it("finds a planted mistake: an unclosed string in the bootstrap", async () => {
    expect((await syntaxErrors(`${BOOTSTRAP}; Write-Output "unclosed`)).length).toBeGreaterThan(0);
  });
});
