// No PowerShell can be installed on this machine (README), so the agent's syntax is checked
// with the tree-sitter PowerShell grammar (installed by scripts/setup.sh): the script and the
// -EncodedCommand bootstrap must parse without an error, and a planted mistake must be found.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BOOTSTRAP, agentScript } from "../../../providers/windows/agent-invocation";

const root = path.resolve(__dirname, "..", "..", "..");
const python = path.join(root, ".tools", "powershell-grammar", "bin", "python");

interface SyntaxError {
  line: number;
  column: number;
  text: string;
}

function syntaxErrors(source: string): SyntaxError[] {
  if (!fs.existsSync(python)) throw new Error(`${python} is missing: run \`bash scripts/setup.sh\` (it installs the PowerShell grammar)`);
  const out = execFileSync(python, [path.join(root, "test", "support", "parse-powershell.py")], { input: source });
  return JSON.parse(out.toString()) as SyntaxError[];
}

describe("the Windows agent's PowerShell syntax", () => {
  it("agent.ps1 parses without an error", () => {
    expect(syntaxErrors(agentScript())).toEqual([]);
  });

  it("the -EncodedCommand bootstrap parses without an error", () => {
    expect(syntaxErrors(BOOTSTRAP)).toEqual([]);
  });

  it("finds a planted mistake: a function's block left open", () => {
    const script = agentScript();
    const broken = script.replace("function ConvertTo-Hex([byte[]]$Bytes) { (", "function ConvertTo-Hex([byte[]]$Bytes) { ((");
    expect(broken).not.toBe(script);
    expect(syntaxErrors(broken).length).toBeGreaterThan(0);
  });

  it("finds a planted mistake: an unclosed string in the bootstrap", () => {
    expect(syntaxErrors(`${BOOTSTRAP}; Write-Output "unclosed`).length).toBeGreaterThan(0);
  });
});
