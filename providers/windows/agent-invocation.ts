/**
 * How the agent script is run and how its answer is read, for every transport.
 *
 * Over SSH the command line stays short and fixed: cmd.exe limits one to 8,191 characters,
 * and a command line is visible to every process on the host. So the command is
 * `powershell.exe -NoProfile -NonInteractive -EncodedCommand <bootstrap>`, and the bootstrap
 * reads from stdin, as UTF-8 bytes: the agent script, a marker line, the JSON request, and,
 * for an apply with a PFX, a second marker and the PFX payload. It leaves the request and
 * the secret in variables and runs the script: no secret is ever bound to a command's
 * parameter (Module Logging records those) or written in a script's text (Script Block
 * Logging records those).
 *
 * Over Azure Run Command the request rides inside the script (agentScriptWith), base64, so
 * that cmd.exe cannot mangle it; the PFX payload rides there too, sealed (sealed-payload.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { AgentRequest, AgentResponse, AgentResult, EMBEDDED_REQUEST_LINE, GZIP_RESULT_MARKER, INPUT_MARKER, RESULT_MARKER, SECRET_MARKER } from "./contract";
import { redact } from "../redact";
import { WindowsTargetError } from "./errors";

/** Reads stdin as UTF-8 (the console code page would mangle it), splits script, request and secret, runs the script. */
export const BOOTSTRAP = [
  "$ErrorActionPreference='Stop'",
  "$ms=New-Object IO.MemoryStream",
  "[Console]::OpenStandardInput().CopyTo($ms)",
  "$t=[Text.Encoding]::UTF8.GetString($ms.ToArray())",
  `$m="\`n${INPUT_MARKER}\`n"`,
  "$k=$t.IndexOf($m)",
  "if($k -lt 0){[Console]::Out.WriteLine('chainsmith bootstrap: no input marker on stdin');exit 2}",
  `$n="\`n${SECRET_MARKER}\`n"`,
  "$j=$t.IndexOf($n,$k)",
  "$ChainsmithSecret=''",
  "if($j -ge 0){$ChainsmithInput=$t.Substring($k+$m.Length,$j-$k-$m.Length);$ChainsmithSecret=$t.Substring($j+$n.Length)}else{$ChainsmithInput=$t.Substring($k+$m.Length)}",
  "& ([ScriptBlock]::Create($t.Substring(0,$k)))",
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

/** The agent with `request` embedded (base64 of its JSON): what Azure Run Command runs. The request must carry no PFX in clear. */
export function agentScriptWith(request: AgentRequest): string {
  if (request.verb === "apply" && request.pfx) throw new Error("agentScriptWith: a PFX in clear may not go into a script; seal it (sealed-payload.ts)");
  const script = agentScript();
  if (!script.includes(EMBEDDED_REQUEST_LINE)) throw new WindowsTargetError("agent-missing", "The Windows agent script has no embedded-request line. Reinstall chainsmith.");
  return script.replace(EMBEDDED_REQUEST_LINE, `$EmbeddedRequest = '${Buffer.from(JSON.stringify(request), "utf8").toString("base64")}'`);
}

/** What goes to the bootstrap on stdin: the script, the request without its PFX, then the PFX payload. */
export function agentStdin(request: AgentRequest): Buffer {
  const { pfx, ...rest } = request as AgentRequest & { pfx?: unknown };
  const secret = pfx ? `\n${SECRET_MARKER}\n${JSON.stringify(pfx)}` : "";
  return Buffer.from(`${agentScript()}\n${INPUT_MARKER}\n${JSON.stringify(rest)}${secret}`, "utf8");
}

/** The secrets a request carries, to be kept out of every message. */
export function secretsOf(request: AgentRequest): string[] {
  return request.verb === "apply" && request.pfx ? [request.pfx.password, request.pfx.base64] : [];
}

/** Finds the result line in the agent's stdout (plain or gzip); anything else there (banners, warnings) is ignored. */
export function parseAgentOutput(stdout: string, stderr: string, where: string, secrets: readonly string[]): AgentResponse {
  const line = stdout
    .split(/\r?\n/)
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER) || l.startsWith(GZIP_RESULT_MARKER));
  const shown = (text: string) => JSON.stringify(redact(text.trim(), secrets).slice(0, 300));
  if (line === undefined) {
    throw new WindowsTargetError(
      "agent-output-not-json",
      `The agent on ${where} gave no result line (stdout ${shown(stdout)}, stderr ${shown(readableStderr(stderr))}). ` +
        `Check that PowerShell 5.1 runs there for this user and that the account is an administrator.`,
    );
  }
  let parsed: unknown;
  try {
    const json = line.startsWith(GZIP_RESULT_MARKER) ? zlib.gunzipSync(Buffer.from(line.slice(GZIP_RESULT_MARKER.length).trim(), "base64")).toString("utf8") : line.slice(RESULT_MARKER.length);
    parsed = JSON.parse(json);
  } catch {
    throw new WindowsTargetError("agent-output-not-json", `The agent on ${where} answered with a line that is not JSON: ${shown(line)}.`);
  }
  if (typeof parsed !== "object" || parsed === null || typeof (parsed as { ok?: unknown }).ok !== "boolean") {
    throw new WindowsTargetError("agent-output-not-json", `The agent on ${where} answered JSON without an "ok" field: ${shown(line)}.`);
  }
  return parsed as AgentResponse;
}

/** The result of a successful answer; a refusal or failure becomes a WindowsTargetError with the agent's code and the steps it had done. */
export function resultOf<T extends AgentResult>(response: AgentResponse, where: string, secrets: readonly string[]): T {
  if (response.ok) return response.result as T;
  const done = response.done && response.done.length > 0 ? ` Steps done before the failure: ${response.done.join("; ")}.` : "";
  throw new WindowsTargetError(response.error.code, redact(`${where}: ${response.error.message}${done}`, secrets));
}

/**
 * stderr as a person reads it. PowerShell started with -EncodedCommand and redirected
 * streams writes its error stream as CLIXML ("#< CLIXML" then <Objs><S S="Error">...</S>),
 * with line breaks escaped as _x000D__x000A_.
 */
export function readableStderr(stderr: string): string {
  const at = stderr.indexOf("#< CLIXML");
  if (at < 0) return stderr;
  const xml = stderr.slice(at);
  const texts = [...xml.matchAll(/<S S="(?:Error|Warning|Verbose|Debug|Information)">([\s\S]*?)<\/S>/g)].map((m) => unescapeClixml(m[1]));
  return `${stderr.slice(0, at)}${texts.join("")}`.replace(/\r\n/g, "\n").trim();
}

function unescapeClixml(text: string): string {
  return text
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** A way to run the agent on one host: SSH, Azure Run Command, or the simulated host in tests. */
export interface AgentTransport {
  /** "ssh admin@web1:22", for messages. */
  readonly where: string;
  run(request: AgentRequest): Promise<AgentResponse>;
  close(): Promise<void>;
}
