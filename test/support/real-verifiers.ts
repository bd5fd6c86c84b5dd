/**
 * The real path validators that run here, each asked for its verdict on every case of a
 * corpus (test/support/verifier-corpus.ts), each given the same roots and served chain:
 * OpenSSL (`openssl verify`, `s_client`), GnuTLS (`certtool --verify`), NSS (`vfychain`),
 * Go crypto/x509, rustls-webpki, a Java TLS client, Python ssl and Node tls (the programs
 * of tools/verifiers/, built by scripts/install-verifiers.sh). Each runs in child processes;
 * the ones that take the whole corpus run as one process each, all verifiers at once.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BehaviourId } from "../../chain/client-behaviour";
import { pemOf } from "../../harness/pki";
import { repoRoot } from "../../harness/repo-root";
import type { CorpusCase } from "./verifier-corpus";
import { run as runProgram, type RunResult as Ran } from "../../harness/run";

export interface RealVerdict {
  trusted: boolean;
  detail: string;
}

export interface RealVerifier {
  name: string;
  /** The chainsmith behaviour that models it (chain/client-behaviour.ts). */
  behaviour: BehaviourId;
  /** Verdict per case id. */
  run(corpus: WrittenCorpus): Promise<Map<string, RealVerdict>>;
}

export interface WrittenCorpus {
  dir: string;
  cases: CorpusCase[];
  /** The loopback server that serves case `id` to SNI `${id}.corpus.test`. */
  server: { host: string; port: number };
}

/** Where scripts/install-verifiers.sh links the programs it builds. */
export const cacheDir = path.join(repoRoot, ".tools", "verifiers");

export const servername = (c: CorpusCase) => `${c.id}.corpus.test`;

const caseDir = (corpus: WrittenCorpus, c: CorpusCase) => path.join(corpus.dir, c.id);

/** Each case's files: roots.pem, chain.pem (as served), and each certificate alone (served-N.pem, root-N.pem). */
export function writeCorpusFiles(dir: string, cases: CorpusCase[]): void {
  for (const c of cases) {
    const d = path.join(dir, c.id);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, "roots.pem"), pemOf(...c.roots));
    fs.writeFileSync(path.join(d, "chain.pem"), pemOf(...c.served));
    fs.writeFileSync(path.join(d, "intermediates.pem"), pemOf(...c.served.slice(1)));
    c.served.forEach((s, i) => fs.writeFileSync(path.join(d, `served-${i}.pem`), s.pem));
    c.roots.forEach((r, i) => fs.writeFileSync(path.join(d, `root-${i}.pem`), r.pem));
  }
}

/** Runs a verifier; a missing one fails the test with the install step. */
const run = (command: string, args: string[], input = "") => runProgram(command, args, { input });

/** One line per case for the corpus programs (tools/verifiers/README.md). */
function caseLines(corpus: WrittenCorpus): string {
  const now = Math.floor(Date.now() / 1000);
  return corpus.cases.map((c) => [c.id, path.join(caseDir(corpus, c), "roots.pem"), path.join(caseDir(corpus, c), "chain.pem"), now, servername(c)].join("\t") + "\n").join("");
}

/** A corpus program: one process over every case, JSON lines back. */
async function corpusProgram(command: string, args: string[], corpus: WrittenCorpus): Promise<Map<string, RealVerdict>> {
  const ran = await run(command, args, caseLines(corpus));
  const verdicts = new Map<string, RealVerdict>();
  for (const line of ran.stdout.split("\n").filter(Boolean)) {
    const v = JSON.parse(line) as { id: string } & RealVerdict;
    verdicts.set(v.id, { trusted: v.trusted, detail: v.detail });
  }
  if (verdicts.size !== corpus.cases.length) throw new Error(`${command} answered ${verdicts.size} of ${corpus.cases.length} cases (exit ${ran.code}): ${ran.stderr.slice(-800)}`);
  return verdicts;
}

/** Go crypto/x509 through tools/verifiers/x509-verify (its JSON lines), the served certificates after the leaf as intermediates, at the current time. */
async function goVerdicts(corpus: WrittenCorpus): Promise<Map<string, RealVerdict>> {
  const der = (i: { cert: { der: Buffer } }) => i.cert.der.toString("base64");
  const at = new Date().toISOString();
  const requests = corpus.cases.map((c) => JSON.stringify({ id: c.id, leaf: der(c.served[0]), intermediates: c.served.slice(1).map(der), roots: c.roots.map(der), at })).join("\n") + "\n";
  const ran = await run(path.join(cacheDir, "x509-verify"), [], requests);
  const verdicts = new Map<string, RealVerdict>();
  for (const line of ran.stdout.split("\n").filter(Boolean)) {
    const answer = JSON.parse(line) as { id: string; ok: boolean; error?: string };
    verdicts.set(answer.id, { trusted: answer.ok, detail: answer.error ?? "verified" });
  }
  if (verdicts.size !== corpus.cases.length) throw new Error(`x509-verify answered ${verdicts.size} of ${corpus.cases.length} cases (exit ${ran.code}): ${ran.stderr.slice(-800)}`);
  return verdicts;
}

/** A command per case, a few at a time; `trusted` reads the outcome. */
async function perCase(corpus: WrittenCorpus, command: (c: CorpusCase, dir: string) => [string, string[], string?], trusted: (ran: Ran) => boolean): Promise<Map<string, RealVerdict>> {
  const verdicts = new Map<string, RealVerdict>();
  const queue = [...corpus.cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const [cmd, args, input] = command(c, caseDir(corpus, c));
      const ran = await run(cmd, args, input);
      verdicts.set(c.id, { trusted: trusted(ran), detail: `${ran.stdout}\n${ran.stderr}`.trim().split("\n").slice(-3).join(" | ") });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return verdicts;
}

const servedFiles = (c: CorpusCase, dir: string) => c.served.map((_, i) => path.join(dir, `served-${i}.pem`));
const rootFiles = (c: CorpusCase, dir: string) => c.roots.map((_, i) => path.join(dir, `root-${i}.pem`));
const target = (corpus: WrittenCorpus) => `${corpus.server.host}:${corpus.server.port}`;
const here = path.resolve(__dirname, "..", "..", "tools", "verifiers");

function vfychain(name: string, behaviour: BehaviourId, flags: string[]): RealVerifier {
  return {
    name,
    behaviour,
    run: (corpus) =>
      perCase(
        corpus,
        (c, dir) => ["vfychain", ["-pp", ...flags, "-u", "1", ...servedFiles(c, dir).flatMap((f) => ["-a", f]), ...rootFiles(c, dir).flatMap((f) => ["-t", "-a", f])]],
        (ran) => ran.code === 0 && /Chain is good/.test(ran.stdout + ran.stderr),
      ),
  };
}

export const REAL_VERIFIERS: RealVerifier[] = [
  {
    name: "openssl verify",
    behaviour: "openssl",
    run: (corpus) =>
      perCase(
        corpus,
        (c, dir) => ["openssl", ["verify", "-purpose", "sslserver", "-CAfile", path.join(dir, "roots.pem"), ...(c.served.length > 1 ? ["-untrusted", path.join(dir, "intermediates.pem")] : []), path.join(dir, "served-0.pem")]],
        (ran) => ran.code === 0,
      ),
  },
  {
    name: "openssl s_client",
    behaviour: "openssl",
    run: (corpus) =>
      perCase(
        corpus,
        (c, dir) => ["openssl", ["s_client", "-connect", target(corpus), "-servername", servername(c), "-CAfile", path.join(dir, "roots.pem"), "-verify_return_error", "-brief"], ""],
        (ran) => ran.code === 0,
      ),
  },
  {
    name: "GnuTLS certtool",
    behaviour: "gnutls",
    run: (corpus) =>
      perCase(
        corpus,
        (_c, dir) => ["certtool", ["--verify", "--verify-purpose", "1.3.6.1.5.5.7.3.1", "--load-ca-certificate", path.join(dir, "roots.pem"), "--infile", path.join(dir, "chain.pem")]],
        (ran) => ran.code === 0,
      ),
  },
  {
    // A handshake; the host name checked is the leaf's own (the corpus tests path validation).
    name: "GnuTLS gnutls-cli",
    behaviour: "gnutls",
    run: (corpus) =>
      perCase(
        corpus,
        (c, dir) => ["gnutls-cli", ["--x509cafile", path.join(dir, "roots.pem"), "--sni-hostname", servername(c), "--verify-hostname", c.served[0].name, "--port", String(corpus.server.port), corpus.server.host], ""],
        (ran) => ran.code === 0,
      ),
  },
  // -pp: CERT_PKIXVerifyCert (libpkix, NSS's path builder); -t: the roots as the only anchors.
  vfychain("NSS vfychain", "nss", []),
  // -f: libpkix fetches a missing issuer from its caIssuers URL (the corpus's loopback HTTP server).
  vfychain("NSS vfychain -f", "nss-aia", ["-f"]),
  { name: "Go crypto/x509", behaviour: "go", run: goVerdicts },
  { name: "rustls-webpki", behaviour: "webpki", run: (corpus) => corpusProgram(path.join(cacheDir, "webpki-verdicts"), [], corpus) },
  { name: "Java SunJSSE", behaviour: "java", run: (corpus) => corpusProgram("java", ["-cp", path.join(cacheDir, "java"), "TlsVerdicts", target(corpus)], corpus) },
  { name: "Python ssl", behaviour: "openssl", run: (corpus) => corpusProgram("python3", [path.join(here, "python", "tls_verdicts.py"), target(corpus)], corpus) },
  { name: "Node tls", behaviour: "openssl", run: (corpus) => corpusProgram(process.execPath, [path.join(here, "node", "tls-verdicts.js"), target(corpus)], corpus) },
];
