/**
 * chainsmith, Go's crypto/x509 and OpenSSL on the same path-validation questions, and the
 * agreement table the README quotes. Used by test/integration/chain/peers.test.ts (which
 * asserts on it) and scripts/validation-agreement.ts (which prints it).
 */
import * as path from "node:path";
import { Certificate } from "../../chain/certificate";
import { BetterTlsCase, GoAnswer, PathQuestion, Verdict, chainsmithBundle, goVerify, inParallel, opensslVerify, writeQuestion } from "./validators";

export interface Verdicts {
  chainsmith: Verdict;
  go: Verdict;
  openssl: Verdict;
  /** chainsmith's exit code (0 or 1 expected; anything else is a defect). */
  exitCode: number | null;
  stderr: string;
  /** chainsmith's chosen chain, leaf first. */
  chosen?: string[];
  /** Go and OpenSSL on the chosen chain alone (its intermediates as the pool), when chainsmith accepted. */
  goOnChosen?: Verdict;
  opensslOnChosen?: Verdict;
  goError?: string;
}

/** Every question through the three validators; `dir` receives the files. */
export async function judgeAll(questions: readonly PathQuestion[], dir: string, parallel = 2): Promise<Map<string, Verdicts>> {
  const go = await goVerify(questions);
  const local = await inParallel(questions, parallel, async (q) => {
    const files = writeQuestion(path.join(dir, safe(q.id)), q);
    const [bundle, openssl] = await Promise.all([chainsmithBundle(files, q.at), opensslVerify(files, q.at)]);
    let opensslOnChosen: Verdict | undefined;
    if (bundle.chain) {
      const chosen = chosenQuestion(q, bundle.chain);
      opensslOnChosen = await opensslVerify(writeQuestion(path.join(dir, safe(q.id), "chosen"), chosen), q.at);
    }
    return { bundle, openssl, opensslOnChosen };
  });
  const chosenQuestions = questions.flatMap((q, i) => (local[i].bundle.chain ? [{ ...chosenQuestion(q, local[i].bundle.chain!), id: `${q.id} (chosen)` }] : []));
  const goOnChosen = await goVerify(chosenQuestions);
  const verdicts = new Map<string, Verdicts>();
  questions.forEach((q, i) => {
    const { bundle, openssl, opensslOnChosen } = local[i];
    const answer = go.get(q.id) as GoAnswer;
    const onChosen = goOnChosen.get(`${q.id} (chosen)`);
    verdicts.set(q.id, {
      chainsmith: bundle.verdict,
      go: answer.ok ? "accept" : "reject",
      openssl,
      exitCode: bundle.exitCode,
      stderr: bundle.stderr,
      chosen: bundle.chain,
      goOnChosen: onChosen ? (onChosen.ok ? "accept" : "reject") : undefined,
      opensslOnChosen,
      goError: answer.error,
    });
  });
  return verdicts;
}

/** The question restricted to the chosen chain: its intermediates are the whole pool. */
function chosenQuestion(q: PathQuestion, chain: string[]): PathQuestion {
  const byId = new Map([q.leaf, ...q.pool].map((c) => [c.sha256, c]));
  return { ...q, pool: chain.slice(1).map((id) => byId.get(id) as Certificate) };
}

function safe(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/** BetterTLS cases as questions: the leaf, the served intermediates as the pool, the suite's root as the anchor. */
export function betterTlsQuestions(trustRoot: Buffer, cases: readonly BetterTlsCase[], at: Date): PathQuestion[] {
  const anchor = Certificate.fromDer(trustRoot, "BetterTLS trust root");
  return cases.map((c) => ({
    id: `bettertls::pathbuilding-tc${c.id}`,
    leaf: Certificate.fromDer(c.certificates[0], `BetterTLS tc${c.id} leaf`),
    pool: c.certificates.slice(1).map((der, i) => Certificate.fromDer(der, `BetterTLS tc${c.id} certificate ${i + 2}`)),
    anchors: [anchor],
    at,
  }));
}

export interface Row {
  id: string;
  expected: Verdict;
  verdicts: Verdicts;
}

/** Markdown: per validator, agreement with the expected verdicts, and chainsmith's agreement with each peer. */
export function agreementTable(suites: { name: string; rows: Row[] }[]): string {
  const lines = [
    "| suite | cases | chainsmith = expected | Go = expected | OpenSSL = expected | chainsmith = Go | chainsmith = OpenSSL | chosen chain valid for Go / OpenSSL |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const { name, rows } of suites) {
    const count = (f: (r: Row) => boolean) => `${rows.filter(f).length}/${rows.length}`;
    const accepted = rows.filter((r) => r.verdicts.chosen);
    const chosen = `${accepted.filter((r) => r.verdicts.goOnChosen === "accept").length}/${accepted.length} / ${accepted.filter((r) => r.verdicts.opensslOnChosen === "accept").length}/${accepted.length}`;
    lines.push(
      `| ${name} | ${rows.length} | ${count((r) => r.verdicts.chainsmith === r.expected)} | ${count((r) => r.verdicts.go === r.expected)} | ${count((r) => r.verdicts.openssl === r.expected)} | ${count((r) => r.verdicts.chainsmith === r.verdicts.go)} | ${count((r) => r.verdicts.chainsmith === r.verdicts.openssl)} | ${chosen} |`,
    );
  }
  return lines.join("\n");
}

/** The cases where a validator departs from the expected verdict: "id: validator says X". */
export function departures(rows: readonly Row[]): string[] {
  return rows.flatMap((r) =>
    (["chainsmith", "go", "openssl"] as const).filter((v) => r.verdicts[v] !== r.expected).map((v) => `${r.id}: ${v} ${r.verdicts[v]}s (expected ${r.expected})`),
  );
}
