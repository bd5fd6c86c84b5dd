/**
 * The validators chainsmith is compared with, run as child processes on the same files:
 * chainsmith's own CLI (`bundle --json`), Go's crypto/x509 (tools/verifiers/x509-verify, one
 * process for a batch) and `openssl verify -purpose sslserver`; and BetterTLS's exporter, which writes
 * its pathbuilding cases with fresh certificates. Installed by scripts/install-verifiers.sh
 * (a missing one fails with its name, never skips).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Certificate } from "../../chain/certificate";
import { repoRoot as ROOT } from "../repo-root";
import { run } from "../run";

const VALIDATORS = path.join(ROOT, ".tools", "verifiers");
const CHAINSMITH = path.join(ROOT, "bin", "chainsmith.js");

export type Verdict = "accept" | "reject";

/** One path-validation question: a leaf, candidate intermediates, trust anchors, a time. */
export interface PathQuestion {
  id: string;
  leaf: Certificate;
  pool: Certificate[];
  anchors: Certificate[];
  at: Date;
}

/** The path of an installed validator; fails, naming the install script, when it is missing. */
export function validator(name: "x509-verify" | "bettertls" | "cfssl"): string {
  const file = path.join(VALIDATORS, name);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run 'bash scripts/install-verifiers.sh' (scripts/setup.sh does).`);
  return file;
}

/** Runs `work` over `items` with at most `limit` at a time, results in input order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The question's files in `dir`: leaf.pem, pool.pem, anchors.pem. */
export function writeQuestion(dir: string, q: PathQuestion): { leaf: string; pool: string; anchors: string } {
  fs.mkdirSync(dir, { recursive: true });
  const files = { leaf: path.join(dir, "leaf.pem"), pool: path.join(dir, "pool.pem"), anchors: path.join(dir, "anchors.pem") };
  fs.writeFileSync(files.leaf, q.leaf.pem);
  fs.writeFileSync(files.pool, q.pool.map((c) => c.pem).join(""));
  fs.writeFileSync(files.anchors, q.anchors.map((c) => c.pem).join(""));
  return files;
}

export interface ChainsmithAnswer {
  verdict: Verdict;
  /** The chosen chain's fingerprints (leaf first), when accepted. */
  chain?: string[];
  exitCode: number | null;
  stderr: string;
}

/** `chainsmith bundle --json` on the files: exit 0 accepts, 1 rejects; anything else is returned for the caller to fail on. */
export async function chainsmithBundle(files: { leaf: string; pool: string; anchors: string }, at: Date): Promise<ChainsmithAnswer> {
  const args = [CHAINSMITH, "bundle", "--leaf", files.leaf, "--anchors", files.anchors, "--at", at.toISOString(), "--json"];
  if (fs.statSync(files.pool).size > 0) args.push("--pool", files.pool);
  const { code, stdout, stderr } = await run(process.execPath, args);
  const chain = code === 0 ? (JSON.parse(stdout) as { chain: { sha256: string }[] }).chain.map((c) => c.sha256) : undefined;
  return { verdict: code === 0 ? "accept" : "reject", chain, exitCode: code, stderr };
}

/** `openssl verify -purpose sslserver` (OpenSSL's defaults otherwise) at the question's time. */
export async function opensslVerify(files: { leaf: string; pool: string; anchors: string }, at: Date): Promise<Verdict> {
  const args = ["verify", "-purpose", "sslserver", "-attime", String(Math.floor(at.getTime() / 1000)), "-CAfile", files.anchors];
  if (fs.statSync(files.pool).size > 0) args.push("-untrusted", files.pool);
  const { code, stdout } = await run("openssl", [...args, files.leaf]);
  return code === 0 && /: OK\s*$/.test(stdout) ? "accept" : "reject";
}

export interface GoAnswer {
  id: string;
  ok: boolean;
  chains?: string[][];
  error?: string;
}

/** Go's crypto/x509 on every question, in one process. */
export async function goVerify(questions: readonly PathQuestion[]): Promise<Map<string, GoAnswer>> {
  const b64 = (c: Certificate) => c.der.toString("base64");
  const input = questions.map((q) => JSON.stringify({ id: q.id, leaf: b64(q.leaf), intermediates: q.pool.map(b64), roots: q.anchors.map(b64), at: q.at.toISOString() })).join("\n");
  const { code, stdout, stderr } = await run(validator("x509-verify"), [], { input: `${input}\n` });
  if (code !== 0) throw new Error(`x509-verify exited ${code}: ${stderr}`);
  const answers = stdout.trim().split("\n").map((line) => JSON.parse(line) as GoAnswer);
  return new Map(answers.map((a) => [a.id, a]));
}

export interface BetterTlsCase {
  id: number;
  expected: Verdict;
  /** Leaf first, then the intermediates the server would send. */
  certificates: Buffer[];
  requiredFeatures: string[];
}

/** BetterTLS's pathbuilding suite, exported with fresh certificates: the trust root and every case. */
export async function betterTlsPathbuilding(outFile: string): Promise<{ trustRoot: Buffer; cases: BetterTlsCase[] }> {
  const { code, stderr } = await run(validator("bettertls"), ["export-tests", "--suite", "pathbuilding", "--out", outFile]);
  if (code !== 0) throw new Error(`bettertls export-tests exited ${code}: ${stderr}`);
  const exported = JSON.parse(fs.readFileSync(outFile, "utf8")) as {
    trustRoot: string;
    suites: { pathbuilding: { testCases: { id: number; expected: string; certificates: string[]; requiredFeatures: string[] }[] } };
  };
  return {
    trustRoot: Buffer.from(exported.trustRoot, "base64"),
    cases: exported.suites.pathbuilding.testCases.map((t) => ({
      id: t.id,
      expected: t.expected === "ACCEPT" ? "accept" : "reject",
      certificates: t.certificates.map((c) => Buffer.from(c, "base64")),
      requiredFeatures: t.requiredFeatures,
    })),
  };
}
