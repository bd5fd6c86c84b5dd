/**
 * How the agent script is run and how its answer is read, for every transport.
 *
 * Over SSH the command line stays short and fixed: cmd.exe limits one to 8,191 characters,
 * and a command line is visible to every process on the host. So the command is
 * `powershell.exe -NoProfile -NonInteractive -EncodedCommand <bootstrap>`, and the bootstrap
 * reads the agent script, a marker line and the JSON input (PFX included) from stdin as
 * UTF-8 bytes, then runs the script with the JSON as -InputJson.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AgentRequest, AgentResponse, AgentResult, INPUT_MARKER, RESULT_MARKER } from "./contract";
import { redact } from "../redact";
import { WindowsTargetError } from "./errors";

/** Reads stdin as UTF-8 (the console code page would mangle it), splits script from input, runs the script. */
export const BOOTSTRAP = [
  "$ErrorActionPreference='Stop'",
  "$ms=New-Object IO.MemoryStream",
  "[Console]::OpenStandardInput().CopyTo($ms)",
  "$t=[Text.Encoding]::UTF8.GetString($ms.ToArray())",
  `$m="\`n${INPUT_MARKER}\`n"`,
  "$k=$t.IndexOf($m)",
  "if($k -lt 0){[Console]::Out.WriteLine('chainsmith bootstrap: no input marker on stdin');exit 2}",
  "& ([ScriptBlock]::Create($t.Substring(0,$k))) -InputJson $t.Substring($k+$m.Length)",
].join(";");

/** The whole SSH command: fixed, short, and free of input or secrets. */
export function powershellCommand(): string {
  return `powershell.exe -NoProfile -NonInteractive -EncodedCommand ${Buffer.from(BOOTSTRAP, "utf16le").toString("base64")}`;
}

/** The agent's text. tsc does not copy .ps1 files into dist/, so the compiled code reads it from the source tree. */
export function agentScript(): string {
  const candidates = [path.join(__dirname, "agent.ps1"), path.resolve(__dirname, "..", "..", "..", "providers", "windows", "agent.ps1")];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new WindowsTargetError("agent-missing", `The Windows agent script was not found (looked in ${candidates.join(", ")}). Reinstall chainsmith.`);
  return fs.readFileSync(found, "utf8");
}

/** What goes to the bootstrap on stdin. */
export function agentStdin(request: AgentRequest): Buffer {
  return Buffer.from(`${agentScript()}\n${INPUT_MARKER}\n${JSON.stringify(request)}`, "utf8");
}

/** The secrets a request carries, to be kept out of every message. */
export function secretsOf(request: AgentRequest): string[] {
  return request.verb === "apply" && request.pfx ? [request.pfx.password, request.pfx.base64] : [];
}

/** Finds the result line in the agent's stdout; anything else there (banners, warnings) is ignored. */
export function parseAgentOutput(stdout: string, stderr: string, where: string, secrets: readonly string[]): AgentResponse {
  const line = stdout.split(/\r?\n/).reverse().find((l) => l.startsWith(RESULT_MARKER));
  const shown = (text: string) => JSON.stringify(redact(text.trim(), secrets).slice(0, 300));
  if (line === undefined) {
    throw new WindowsTargetError(
      "agent-output-not-json",
      `The agent on ${where} gave no result line (stdout ${shown(stdout)}, stderr ${shown(stderr)}). ` +
        `Check that PowerShell 5.1 runs there for this user and that the account is an administrator.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(RESULT_MARKER.length));
  } catch {
    throw new WindowsTargetError("agent-output-not-json", `The agent on ${where} answered with a line that is not JSON: ${shown(line)}.`);
  }
  if (typeof parsed !== "object" || parsed === null || typeof (parsed as { ok?: unknown }).ok !== "boolean") {
    throw new WindowsTargetError("agent-output-not-json", `The agent on ${where} answered JSON without an "ok" field: ${shown(line)}.`);
  }
  return parsed as AgentResponse;
}

/** The result of a successful answer; a refusal or failure becomes a WindowsTargetError with the agent's code. */
export function resultOf<T extends AgentResult>(response: AgentResponse, where: string, secrets: readonly string[]): T {
  if (response.ok) return response.result as T;
  throw new WindowsTargetError(response.error.code, `${where}: ${redact(response.error.message, secrets)}`);
}

/** A way to run the agent on one host: SSH, Azure Run Command, or the simulated host in tests. */
export interface AgentTransport {
  /** "ssh admin@web1:22", for messages. */
  readonly where: string;
  run(request: AgentRequest): Promise<AgentResponse>;
  close(): Promise<void>;
}
