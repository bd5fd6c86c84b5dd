// `chainsmith inspect`: read the chain an endpoint serves (probe/; after the protocol's
// STARTTLS for smtp://, imap://, ...), judge it against client profiles and, with --expect,
// against the chain it must serve (chain/judge.ts).
// Exit 0: the chain is fine for every profile (and equals --expect); 1: it is not;
// 2: bad input, or an endpoint could not be read.
import type { Certificate } from "../chain/certificate";
import { ChainsmithInputError } from "../chain/errors";
import { judgeServed, type Judgement } from "../chain/judge";
import { parseCertificates } from "../chain/parse";
import { printable, printableJson } from "../chain/printable";
import { distinctProfiles, loadProfile } from "../chain/profiles";
import { endpointLabel, parseEndpoint, PROTOCOLS } from "../probe/endpoint";
import { ProbeError } from "../probe/errors";
import { probe, type KeyTypeChoice, type ProbeOptions, type ProbeResult, type TlsVersionChoice } from "../probe/probe";
import { probeMany } from "../probe/probe-many";
import { FlagSpecs, FlagValues, POSITIONALS, booleanFlag, listFlag, parseCommandLine, stringFlag } from "./args";
import { CHAIN_INPUT_FLAGS, readInput } from "./inputs";
import type { Io } from "./main";
import { table } from "./text-table";

const FLAGS: FlagSpecs = {
  servername: { type: "string", value: "NAME", help: "SNI name to send (default: HOST when it is a name)" },
  tls: { type: "string", value: "1.2|1.3", help: "offer only this TLS version (default: both; the server chooses)" },
  "key-type": { type: "string", value: "rsa|ecdsa", help: "read the RSA or the ECDSA chain of a server that has both" },
  expect: { type: "string", value: "FULLCHAIN.pem", help: "the chain the server must send, leaf first; any difference fails" },
  profile: CHAIN_INPUT_FLAGS.profile,
  targets: { type: "string", value: "FILE", help: "inspect every endpoint in FILE: one '[PROTOCOL://]HOST[:PORT] [SERVERNAME]' per line, # comments" },
  json: { type: "boolean", help: "print JSON (with --targets: one JSON line per endpoint, as each finishes)" },
};

const SYNOPSIS = `[PROTOCOL://]HOST[:PORT] | --targets FILE  [--servername NAME] [--tls 1.2|1.3] [--key-type rsa|ecdsa] [--expect FULLCHAIN.pem] [--profile NAME|name=FILE ...] [--json]

PROTOCOL, one of ${PROTOCOLS.join(", ")}:
tls (the default), smtps, imaps, pop3s and ldaps start with TLS; the others read the chain after
the protocol's STARTTLS. The port defaults to the protocol's (smtp 25, smtps 465, imap 143, ...);
mail submission is smtp://HOST:587.`;

const EXIT_FINE = 0;
const EXIT_PROBLEMS = 1;
const EXIT_UNREADABLE = 2;

interface Inspection {
  endpoint: ProbeOptions;
  result: ProbeResult;
  judgement: Judgement;
  /** No error finding, trusted by every profile, and equal to --expect when given. */
  fine: boolean;
}

export async function runInspect(argv: string[], io: Io): Promise<number> {
  const values = parseCommandLine("inspect", SYNOPSIS, argv, FLAGS, io, { max: 1, hint: "give one HOST[:PORT], or --targets FILE for many" });
  if (!values) return EXIT_FINE;
  const positionals = listFlag(values, POSITIONALS);
  const targets = stringFlag(values, "targets");
  if (positionals.length === 1 && targets !== undefined) {
    throw new ChainsmithInputError("bad-argument", `chainsmith inspect: both ${positionals[0]} and --targets are given. Give one HOST[:PORT], or --targets FILE for many. Run 'chainsmith inspect --help'.`);
  }
  if (positionals.length !== 1 && targets === undefined) {
    throw new ChainsmithInputError("bad-argument", "chainsmith inspect: give one HOST[:PORT], or --targets FILE for many. Run 'chainsmith inspect --help'.");
  }
  const settings = probeSettings(values);
  const profiles = distinctProfiles((listFlag(values, "profile").length ? listFlag(values, "profile") : ["mozilla"]).map((spec) => loadProfile(spec)));
  const expectFile = stringFlag(values, "expect");
  const expected = expectFile === undefined ? undefined : parseCertificates(readInput(expectFile, "--expect"), expectFile);
  const judge = (endpoint: ProbeOptions, result: ProbeResult): Inspection => {
    const judgement = judgeServed(result.certificates, { desired: expected, profiles });
    return { endpoint, result, judgement, fine: judgement.ok && judgement.profiles.every((p) => p.trusted) };
  };
  const json = booleanFlag(values, "json");

  if (targets === undefined) {
    const endpoint: ProbeOptions = { ...parseEndpoint(positionals[0], "[PROTOCOL://]HOST[:PORT]"), servername: stringFlag(values, "servername"), ...settings };
    try {
      const inspection = judge(endpoint, await probe(endpoint));
      io.out(json ? `${printableJson(inspectionJson(inspection), 2)}\n` : renderInspection(inspection));
      return inspection.fine ? EXIT_FINE : EXIT_PROBLEMS;
    } catch (error) {
      if (!(error instanceof ProbeError)) throw error;
      if (json) io.out(`${printableJson(failureJson(endpoint, error), 2)}\n`);
      io.err(`chainsmith inspect: cannot read the chain [${error.code}]: ${printable(error.message)}\n`);
      return EXIT_UNREADABLE;
    }
  }

  const endpoints = readTargets(targets, stringFlag(values, "servername"), settings);
  const progress = process.stderr.isTTY ? new ProgressBar(io) : undefined;
  const exits: number[] = [];
  // Each endpoint's text, kept (not its inspection) until all are printed in the file's order.
  const rendered = new Map<ProbeOptions, string>();
  const outcomes = await probeMany(endpoints, {
    onProgress: (done, total, outcome) => {
      // The bar shares the terminal with the JSON lines: erase it, print, draw it again.
      progress?.clear();
      if (outcome.ok) {
        const inspection = judge(outcome.endpoint, outcome.result);
        exits.push(inspection.fine ? EXIT_FINE : EXIT_PROBLEMS);
        if (json) io.out(`${printableJson(inspectionJson(inspection))}\n`);
        else rendered.set(outcome.endpoint, renderInspection(inspection));
      } else {
        exits.push(EXIT_UNREADABLE);
        if (json) io.out(`${printableJson(failureJson(outcome.endpoint, outcome.error))}\n`);
      }
      progress?.show(done, total);
    },
  });
  progress?.clear();
  if (!json) {
    for (const outcome of outcomes) {
      const text = rendered.get(outcome.endpoint);
      if (text) io.out(text);
      else if (!outcome.ok) io.out(`${printable(label(outcome.endpoint))}\n  cannot read the chain [${outcome.error.code}]: ${printable(outcome.error.message)}\n`);
      io.out("\n");
    }
    const unreadable = exits.filter((e) => e === EXIT_UNREADABLE).length;
    const problems = exits.filter((e) => e === EXIT_PROBLEMS).length;
    io.out(`${outcomes.length} endpoints: ${outcomes.length - unreadable - problems} fine, ${problems} with problems, ${unreadable} unreadable\n`);
  }
  return Math.max(EXIT_FINE, ...exits);
}

function probeSettings(values: FlagValues): { tls: TlsVersionChoice; keyType: KeyTypeChoice } {
  const tls = stringFlag(values, "tls") ?? "auto";
  if (tls !== "auto" && tls !== "1.2" && tls !== "1.3") {
    throw new ChainsmithInputError("bad-argument", `chainsmith inspect: --tls '${tls}' is not a version this probe offers; use 1.2 or 1.3.`);
  }
  const keyType = stringFlag(values, "key-type") ?? "any";
  if (keyType !== "any" && keyType !== "rsa" && keyType !== "ecdsa") {
    throw new ChainsmithInputError("bad-argument", `chainsmith inspect: --key-type '${keyType}' is not a key type; use rsa or ecdsa.`);
  }
  return { tls, keyType };
}

/** One endpoint per line, "[PROTOCOL://]HOST[:PORT] [SERVERNAME]"; blank lines and # comments skipped. */
function readTargets(file: string, servername: string | undefined, settings: Pick<ProbeOptions, "tls" | "keyType">): ProbeOptions[] {
  const endpoints: ProbeOptions[] = [];
  readInput(file, "--targets")
    .toString("utf8")
    .split(/\r?\n/)
    .forEach((line, index) => {
      const text = line.replace(/#.*/, "").trim();
      if (text === "") return;
      const [spec, name, ...rest] = text.split(/\s+/);
      const where = `${file} line ${index + 1}`;
      if (rest.length > 0) throw new ChainsmithInputError("bad-targets", `${where}: '${text}' has more than [PROTOCOL://]HOST[:PORT] and a server name.`);
      endpoints.push({ ...parseEndpoint(spec, where), servername: name ?? servername, ...settings });
    });
  if (endpoints.length === 0) throw new ChainsmithInputError("bad-targets", `--targets ${file}: no endpoint in the file. Write one [PROTOCOL://]HOST[:PORT] [SERVERNAME] per line.`);
  return endpoints;
}


function label(endpoint: ProbeOptions): string {
  return endpointLabel(endpoint.host, endpoint.port, endpoint.servername, endpoint.protocol);
}

/** The JSON contract of `inspect --json` (other tools read it; keep the names). */
function inspectionJson({ endpoint, result, judgement, fine }: Inspection): object {
  return {
    endpoint: label(endpoint),
    protocol: result.protocol,
    servername: result.servername,
    served: result.certificates.map((c) => ({ subject: c.subject, issuer: c.issuer, sha256: c.sha256, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() })),
    tlsVersion: result.tlsVersion,
    cipher: result.cipher,
    ocspStapled: result.ocspStapled,
    findings: judgement.findings,
    profiles: judgement.profiles.map((p) => ({ profile: p.profile, trusted: p.trusted, reason: p.reason, ...(p.decidedBy ? { decidedBy: p.decidedBy } : {}) })),
    ...(judgement.matchesDesired === undefined ? {} : { matchesExpected: judgement.matchesDesired }),
    ok: fine,
    timings: result.timings,
  };
}

function failureJson(endpoint: ProbeOptions, error: ProbeError | ChainsmithInputError): object {
  return { endpoint: label(endpoint), servername: endpoint.servername, error: { code: error.code, message: error.message, ...(error instanceof ProbeError && error.alert ? { alert: error.alert } : {}) } };
}

function renderInspection({ endpoint, result, judgement, fine }: Inspection): string {
  const lines = [`${label(endpoint)}: ${result.tlsVersion} ${result.cipher}, OCSP stapled: ${result.ocspStapled ? "yes" : "no"}, ${result.timings.totalMs} ms`, "", "Served chain (wire order):"];
  lines.push(...table(["#", "subject", "issuer", "sha256", "valid"], result.certificates.map((c, i) => [String(i), c.subject, c.issuer, c.shortFingerprint, validity(c)])));
  lines.push("", "Findings:");
  if (judgement.findings.length === 0) lines.push("  none");
  for (const f of judgement.findings) lines.push(`  ${f.severity.padEnd(8)} ${f.code}: ${f.message}`);
  lines.push("", "Client profiles:");
  lines.push(...table(["profile", "verdict", "decided by", "why"], judgement.profiles.map((v) => [v.profile, v.trusted ? "trusted" : "NOT TRUSTED", v.decidedBy ?? "-", v.reason])));
  if (judgement.matchesDesired !== undefined) lines.push("", `Expected chain (--expect): ${judgement.matchesDesired ? "served exactly" : "NOT what is served"}`);
  lines.push("", fine ? "Result: the chain is fine." : "Result: the chain has problems (see above).");
  // Subjects, issuers and the messages that quote them come from the server: each line stays one line, with no control character.
  return `${lines.map(printable).join("\n")}\n`;
}

function validity(c: Certificate): string {
  return `${c.notBefore.toISOString().slice(0, 10)} .. ${c.notAfter.toISOString().slice(0, 10)}`;
}

/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal, at most every
 * REDRAW_MS (a fleet of 10,000 endpoints would otherwise redraw it 10,000 times, ~1 MB).
 */
class ProgressBar {
  private static readonly WIDTH = 30;
  private static readonly REDRAW_MS = 100;
  private drawnAt: number | undefined;
  private lastDraw = -Infinity;

  constructor(private readonly io: Io) {}

  show(done: number, total: number): void {
    const now = Date.now();
    if (done < total && now - this.lastDraw < ProgressBar.REDRAW_MS) return;
    const filled = Math.round((done / total) * ProgressBar.WIDTH);
    this.io.err(`\r[${"#".repeat(filled)}${".".repeat(ProgressBar.WIDTH - filled)}] ${done}/${total}`);
    this.drawnAt = this.lastDraw = now;
  }

  /** Erases the bar if it is drawn. */
  clear(): void {
    if (this.drawnAt === undefined) return;
    this.io.err(`\r${" ".repeat(ProgressBar.WIDTH + 24)}\r`);
    this.drawnAt = undefined;
  }
}
