/**
 * agent.ps1 and the simulated host must speak the same contract (providers/windows/contract.ts):
 * the names are read out of the script's text, and out of the simulated host's answers.
 * No PowerShell can be installed on this machine (see the README), so the script is held
 * to the contract by its text, plus a bracket-balance check that catches broken edits.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as zlib from "node:zlib";
import { BOOTSTRAP, agentScript, parseAgentOutput, powershellCommand, readableStderr, resultOf } from "../../../providers/windows/agent-invocation";
import {
  AGENT_ERROR_CODES,
  AGENT_VERBS,
  BINDING_FIELDS,
  CERTIFICATE_FIELDS,
  CHAIN_ELEMENT_FIELDS,
  CHAIN_REPORT_FIELDS,
  INPUT_MARKER,
  EMBEDDED_REQUEST_LINE,
  GZIP_RESULT_MARKER,
  INVENTORY_FIELDS,
  PLACEMENT_FIELDS,
  RESULT_MARKER,
  SECRET_MARKER,
  STEP_FIELDS,
  STEP_KINDS,
  Step,
} from "../../../providers/windows/contract";
import { writePfx } from "../../../chain/pfx-write";
import { sectigo } from "../../../harness/scenarios";
import { focusOf } from "../../../providers/windows/windows-target";
import { Sectigo, bindLeaf, desiredRsa, sectigoHost } from "../../support/simulated-windows-host/field-hosts";

const script = agentScript();
const all = (re: RegExp, text = script) => [...text.matchAll(re)].map((m) => m[1]);
const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();

/** The body of one PowerShell function, by brace counting from its header. */
function functionBody(name: string): string {
  const start = script.indexOf(`function ${name}`);
  if (start < 0) throw new Error(`agent.ps1 has no function ${name}`);
  let depth = 0;
  for (let i = script.indexOf("{", start); i < script.length; i++) {
    if (script[i] === "{") depth++;
    if (script[i] === "}" && --depth === 0) return script.slice(start, i + 1);
  }
  throw new Error(`function ${name} never closes`);
}
const hashtableKeys = (body: string) => all(/^\s+(\w+)\s+=\s/gm, body);

let s: Sectigo;
beforeAll(async () => {
  s = await sectigo();
});

describe("agent.ps1 against the contract", () => {
  it("implements exactly the contract's verbs", () => {
    expect(sorted(all(/function Invoke-Verb_(\w+)/g))).toEqual(sorted(AGENT_VERBS));
  });

  it("checks and applies exactly the contract's step kinds, reading only their fields", () => {
    expect(sorted(all(/function Invoke-Step_(\w+)/g))).toEqual(sorted(STEP_KINDS));
    expect(sorted(all(/function Test-Step_(\w+)/g))).toEqual(sorted(STEP_KINDS));
    for (const kind of STEP_KINDS) {
      const used = all(/\$Step\.(\w+)/g, functionBody(`Invoke-Step_${kind}`) + functionBody(`Test-Step_${kind}`));
      expect(sorted(used).filter((f) => !(STEP_FIELDS[kind] as readonly string[]).includes(f)), kind).toEqual([]);
    }
  });

  it("reports exactly the contract's fields", () => {
    expect(sorted(hashtableKeys(functionBody("New-CertificateFacts")))).toEqual(sorted(CERTIFICATE_FIELDS));
    expect(sorted(all(/(\w+) = /g, /\[ordered\]@\{ (store = .*) \}/.exec(functionBody("New-PlacementFacts"))![1]))).toEqual(sorted(PLACEMENT_FIELDS));
    expect(sorted(all(/(\w+) = /g, /\$facts = \[ordered\]@\{ (site = .*) \}/.exec(functionBody("New-BindingFacts"))![1]))).toEqual(sorted(BINDING_FIELDS));
    expect(sorted(hashtableKeys(functionBody("Invoke-Verb_inventory")))).toEqual(sorted(INVENTORY_FIELDS));
    const chain = functionBody("Invoke-Verb_chain");
    expect(sorted(hashtableKeys(chain))).toEqual(sorted(CHAIN_REPORT_FIELDS));
    expect(sorted(all(/(\w+) = /g, /\[ordered\]@\{ (thumbprint = .*) \}/.exec(chain)![1]))).toEqual(sorted(CHAIN_ELEMENT_FIELDS));
  });

  it("prints its answer after a result marker, takes only the payload key as a parameter, and has the line a transport embeds the request in", () => {
    expect(script).toContain(`'${RESULT_MARKER}'`);
    expect(script).toContain(`'${GZIP_RESULT_MARKER}'`);
    expect(script).toMatch(/^param\(\[string\]\$PayloadKey\)\n\$EmbeddedRequest = ''\n/m);
    expect(script.split(EMBEDDED_REQUEST_LINE)).toHaveLength(2);
    expect(script).not.toMatch(/Write-(Host|Output|Verbose|Information)/i);
  });

  it("calls only functions it defines and cmdlets of Windows PowerShell 5.1 with IIS's WebAdministration", () => {
    const defined = new Set(all(/^function ([\w-]+)/gm));
    const cmdlets = new Set([
      "Add-Type", "ConvertTo-Json", "ForEach-Object", "Get-CimInstance", "Get-Command", "Get-ItemProperty", "Get-ScheduledTask", "Get-ScheduledTaskInfo", "Get-Service", "New-Item", "New-Object",
      "New-ScheduledTaskAction", "New-ScheduledTaskPrincipal", "Out-Null", "Out-String", "Register-ScheduledTask", "Set-ItemProperty", "Sort-Object", "Start-ScheduledTask", "Start-Service", "Start-Sleep",
      "Test-Path", "Unregister-ScheduledTask", "Where-Object",
    ]);
    // Verb-Noun words outside strings and comments; "Invoke-Step_$kind" style dynamic calls end in "_".
    const code = script.replace(/#.*$/gm, "").replace(/'[^'\n]*'/g, "''");
    const called = sorted(all(/(?<![\w$-])([A-Z][a-z]+-[A-Z][\w]*)(?![\w-])/g, code)).filter((name) => !name.endsWith("_"));
    expect(called.filter((name) => !defined.has(name) && !cmdlets.has(name))).toEqual([]);
  });

  it("uses only variables it assigns, takes as parameters or gets from PowerShell (case-insensitive, as PowerShell is)", () => {
    const code = script.replace(/#.*$/gm, "").replace(/'[^'\n]*'/g, "''");
    const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
    const assigned = lower([
      ...all(/\$(?:script:)?(\w+)\s*(?:=|\+=)(?!=)/g, code),
      ...all(/foreach\s*\(\$(\w+)\s+in/g, code),
      ...[...code.matchAll(/(?:function [\w-]+|param)\(([^)]*)\)/g)].flatMap((m) => all(/\$(\w+)/g, m[1])),
    ]);
    // $ChainsmithInput and $ChainsmithSecret are set by the SSH bootstrap.
    const automatic = ["_", "true", "false", "null", "matches", "lastexitcode", "erroractionpreference", "progresspreference", "chainsmithinput", "chainsmithsecret"];
    const used = lower(all(/\$(?:script:)?(\w+)/g, code.replace(/\$env:\w+/g, "")));
    expect(sorted(used.filter((v) => !assigned.includes(v) && !automatic.includes(v)))).toEqual([]);
  });

  it("is ASCII (PowerShell 5.1 reads a file without BOM in the ANSI code page) with balanced brackets outside strings and comments", () => {
    expect(/^[\x09\x0a\x0d\x20-\x7e]*$/.test(script)).toBe(true);
    expect(unbalanced(script)).toEqual([]);
    // The check itself sees a bracket left open, and ignores brackets in strings and comments.
    expect(unbalanced("function f { if ($a -eq '}') { # }\n")).toEqual(["unclosed {", "unclosed {"]);
    expect(unbalanced('$m = "`"(" + @(1, 2)[0]')).toEqual([]);
  });

  it("is started by a short fixed command whose bootstrap splits stdin at the input marker", () => {
    const command = powershellCommand();
    expect(command).toMatch(/^powershell\.exe -NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/=]+$/);
    expect(command.length).toBeLessThan(8191);
    expect(Buffer.from(command.split(" ").pop()!, "base64").toString("utf16le")).toBe(BOOTSTRAP);
    expect(BOOTSTRAP).toContain(`"\`n${INPUT_MARKER}\`n"`);
    expect(BOOTSTRAP).toContain(`"\`n${SECRET_MARKER}\`n"`);
    expect(unbalanced(BOOTSTRAP)).toEqual([]);
  });
});

describe("the simulated host against the contract", () => {
  it("answers inventory and chain with exactly the contract's fields", () => {
    const host = sectigoHost(s);
    bindLeaf(host, s.leaf, { host: "example.test" });
    const inventory = host.handle({ verb: "inventory", focus: focusOf({ desiredChain: desiredRsa(s), binding: { site: "Default Web Site", port: 443, host: "example.test" }, knownCertificates: [s.r36.cert] }) });
    if (!inventory.ok) throw new Error(inventory.error.message);
    const inv = inventory.result as unknown as Record<string, unknown[]>;
    expect(sorted(Object.keys(inv))).toEqual(sorted(INVENTORY_FIELDS));
    expect(sorted(Object.keys(inv.certificates[0] as object))).toEqual(sorted(CERTIFICATE_FIELDS));
    expect(sorted(Object.keys(inv.placements[0] as object))).toEqual(sorted(PLACEMENT_FIELDS));
    expect(sorted(Object.keys(inv.bindings[0] as object))).toEqual(sorted(BINDING_FIELDS));
    const chain = host.handle({ verb: "chain", thumbprint: s.leaf.cert.sha1 });
    if (!chain.ok) throw new Error(chain.error.message);
    const report = chain.result as unknown as Record<string, unknown[]>;
    expect(sorted(Object.keys(report))).toEqual(sorted(CHAIN_REPORT_FIELDS));
    expect(sorted(Object.keys(report.elements[0] as object))).toEqual(sorted(CHAIN_ELEMENT_FIELDS));
  });

  it("accepts every step kind and refuses an unknown one as the agent does", () => {
    const host = sectigoHost(s);
    bindLeaf(host, s.leaf, { host: "example.test" });
    const der = s.r46.cert.der.toString("base64");
    const examples: Step[] = [
      { kind: "importCertificate", store: "CA", thumbprint: s.r46ByUsertrust.cert.sha1, derBase64: s.r46ByUsertrust.cert.der.toString("base64") },
      { kind: "moveToDisallowed", from: "Root", thumbprint: s.r46.cert.sha1 },
      { kind: "addToDisallowed", thumbprint: s.r46.cert.sha1, derBase64: der },
      { kind: "distrustStaleTwin", thumbprint: s.r46ByUsertrust.cert.sha1, derBase64: s.r46ByUsertrust.cert.der.toString("base64"), keptTwin: s.r46ByUsertrust.cert.sha1 },
      { kind: "removeCertificate", store: "CA", thumbprint: s.r36.cert.sha1 },
      { kind: "importPfx", store: "My", thumbprint: s.leaf.cert.sha1, exportable: false },
      { kind: "replaceBinding", site: "Default Web Site", ip: "*", port: 443, host: "example.test", sslFlags: 1, certificateHash: s.leaf.cert.sha1, certificateStore: "My" },
      { kind: "flushChainCaches" },
      { kind: "iisreset" },
      { kind: "restartHttpService" },
      { kind: "disableRootAutoUpdate" },
    ];
    expect(sorted(examples.map((e) => e.kind))).toEqual(sorted(STEP_KINDS));
    const pfx = { base64: writePfx([s.leaf.cert], s.leaf.key.privateKey, "pw", { profile: "legacy" }).toString("base64"), password: "pw" };
    // distrustStaleTwin refuses a "twin" that is the kept certificate itself, as the agent does.
    expect(host.handle({ verb: "apply", steps: examples, pfx })).toMatchObject({ ok: false, error: { code: "refused-not-stale-twin" } });
    const answer = host.handle({ verb: "apply", steps: examples.filter((e) => e.kind !== "distrustStaleTwin"), pfx });
    expect(answer).toMatchObject({ ok: true });
    const unknown = host.handle({ verb: "apply", steps: [{ kind: "formatDisk" } as unknown as Step] });
    expect(unknown).toMatchObject({ ok: false, error: { code: "bad-step" } });
    expect(script).toContain("'bad-step' \"Unknown step kind");
  });

  it("answers with exactly the contract's error codes (the simulated host's are typed by them)", () => {
    expect(sorted([...all(/Stop-Agent '([\w-]+)'/g), ...all(/\$errorCode = '([\w-]+)'/g)])).toEqual(sorted(AGENT_ERROR_CODES));
  });
});

/** Brackets left open or closed too often, skipping PowerShell comments and quoted strings ('' and `" escapes). */
function unbalanced(text: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "}": "{", "]": "[" };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "#" && (i === 0 || /\s|;/.test(text[i - 1]))) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (ch === "'") {
      for (i++; i < text.length && !(text[i] === "'" && text[i + 1] !== "'"); i++) if (text[i] === "'") i++;
    } else if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "`") i++;
    } else if (ch === "`") {
      i++;
    } else if ("({[".includes(ch)) {
      stack.push(ch);
    } else if (ch in pairs) {
      if (stack.pop() !== pairs[ch]) problems.push(`unmatched ${ch} at offset ${i}`);
    }
  }
  return [...problems, ...stack.map((b) => `unclosed ${b}`)];
}

describe("what the agent does that only Windows shows", () => {
  it("flushes SYSTEM's URL cache as SYSTEM (Schannel's), not the SSH user's: directly under Run Command, else through a one-shot task as SYSTEM", () => {
    const flush = functionBody("Invoke-Step_flushChainCaches");
    expect(flush).toMatch(/WindowsIdentity\]::GetCurrent\(\)\.IsSystem\) \{\s+Invoke-Native 'certutil\.exe' @\('-urlcache', '\*', 'delete'\)/);
    expect(flush).toMatch(/New-ScheduledTaskAction -Execute 'certutil\.exe' -Argument '-urlcache \* delete'/);
    expect(flush).toMatch(/New-ScheduledTaskPrincipal -UserId 'SYSTEM'/);
    expect(flush).toMatch(/finally \{ Unregister-ScheduledTask/);
  });

  it("binds only a certificate whose private key opens, checked before anything changes and again before the update", () => {
    expect(functionBody("Test-Step_replaceBinding")).toContain("Test-KeyUsable (Find-Certificate $Step.certificateStore $Step.certificateHash)");
    expect(functionBody("Invoke-Step_replaceBinding")).toMatch(/^\s+if \(-not \$ccs -and -not \(Test-KeyUsable/m);
    expect(functionBody("Invoke-Step_importPfx")).toMatch(/Add-ToStore \$Step\.store \(Open-Pfx[^\n]+\n\s+if \(-not \(Test-KeyUsable/);
    const host = sectigoHost(s);
    host.addCertificate("My", s.leaf.cert); // the certificate without its key
    const bind: Step = { kind: "replaceBinding", site: "Default Web Site", ip: "*", port: 443, host: "example.test", sslFlags: 1, certificateHash: s.leaf.cert.sha1, certificateStore: "My" };
    expect(host.handle({ verb: "apply", steps: [bind] })).toMatchObject({ ok: false, error: { code: "certificate-key-unusable" } });
    expect(host.bindings()).toEqual([]);
  });
});

describe("reading the agent's answer", () => {
  it("decodes PowerShell's CLIXML stderr (as -EncodedCommand with redirected streams writes it) before showing it", () => {
    const stderr = '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Access is denied. &lt;HRESULT&gt;_x000D__x000A_</S><S S="Error">At line:1 char:1_x000D__x000A_</S></Objs>';
    expect(readableStderr(stderr)).toBe("Access is denied. <HRESULT>\nAt line:1 char:1");
    expect(() => parseAgentOutput("", stderr, "vm", [])).toThrow(expect.objectContaining({ message: expect.stringContaining('stderr "Access is denied. <HRESULT>\\nAt line:1 char:1"') }));
    expect(readableStderr("plain text")).toBe("plain text");
  });

  it("reads a gzip answer, and an apply's failure names the steps done before it", () => {
    const answer = { ok: false as const, verb: "apply", error: { code: "command-failed", message: "netsh failed." }, done: ["imported A into CA"] };
    const line = `${GZIP_RESULT_MARKER}${zlib.gzipSync(JSON.stringify(answer)).toString("base64")}`;
    const parsed = parseAgentOutput(`banner\r\n${line}\r\n`, "", "vm", []);
    expect(() => resultOf(parsed, "vm", [])).toThrow(expect.objectContaining({ code: "command-failed", message: "vm: netsh failed. Steps done before the failure: imported A into CA." }));
  });
});
