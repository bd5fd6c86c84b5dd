// chainsmith's path validation against the best validators, on the same files: the real
// `chainsmith bundle` command, Go's crypto/x509 (tools/verifiers/x509-verify) and `openssl verify`, on
// BetterTLS's pathbuilding suite (exported fresh by its own tool) and on chainsmith's
// validation corpus (test/fixtures/validation). Every departure from the expected verdict
// must be one the corpus documents; chainsmith may depart only where it states a limit.
// scripts/validation-agreement.ts prints the same table for the README.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ValidationCase, expectedOf, validationCorpus } from "../../../harness/validation/corpus";
import { Row, agreementTable, betterTlsQuestions, judgeAll } from "../../../harness/validation/agreement";
import { BetterTlsCase, betterTlsPathbuilding } from "../../../harness/validation/validators";
import { assertBuildIsCurrent } from "../../support/chainsmith-cli";

let dir: string;
let betterCases: BetterTlsCase[];
let betterRows: Row[];
let corpus: ValidationCase[];
let corpusRows: Row[];

beforeAll(async () => {
  assertBuildIsCurrent();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-peers-"));
  const exported = await betterTlsPathbuilding(path.join(dir, "bettertls.json"));
  betterCases = exported.cases;
  const better = betterTlsQuestions(exported.trustRoot, betterCases, new Date());
  corpus = await validationCorpus();
  const questions = corpus.map((c) => ({ id: c.id, leaf: c.leaf.cert, pool: c.pool.map((i) => i.cert), anchors: c.anchors.map((i) => i.cert), at: c.at }));
  const [betterVerdicts, corpusVerdicts] = [await judgeAll(better, path.join(dir, "bettertls")), await judgeAll(questions, path.join(dir, "corpus"))];
  betterRows = betterCases.map((c, i) => ({ id: better[i].id, expected: c.expected, verdicts: betterVerdicts.get(better[i].id)! }));
  corpusRows = corpus.map((c) => ({ id: c.id, expected: c.expected, verdicts: corpusVerdicts.get(c.id)! }));
  console.log(agreementTable([{ name: "BetterTLS pathbuilding", rows: betterRows }, { name: "chainsmith corpus", rows: corpusRows }]));
}, 600_000);

afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

describe("path validation against Go's crypto/x509 and OpenSSL", () => {
  it("exits 0 or 1 on every case, never 70", () => {
    const others = [...betterRows, ...corpusRows].filter((r) => r.verdicts.exitCode !== 0 && r.verdicts.exitCode !== 1);
    expect(others.map((r) => `${r.id}: exit ${r.verdicts.exitCode}: ${r.verdicts.stderr}`)).toEqual([]);
  });

  it("BetterTLS pathbuilding: chainsmith and Go give every expected verdict", () => {
    expect(betterRows).toHaveLength(81);
    expect(betterRows.filter((r) => r.verdicts.chainsmith !== r.expected).map((r) => r.id)).toEqual([]);
    expect(betterRows.filter((r) => r.verdicts.go !== r.expected).map((r) => `${r.id}: ${r.verdicts.goError}`)).toEqual([]);
  });

  it("BetterTLS pathbuilding: OpenSSL departs only where a case needs branching or refuses SHA-1", () => {
    const explained = (features: string[]) => features.includes("BRANCHING") || features.includes("INVALID_REASON_DEPRECATED_CRYPTO");
    const departures = betterRows.filter((r) => r.verdicts.openssl !== r.expected);
    expect(departures.length).toBeGreaterThan(0); // OpenSSL does not branch: if this ever changes, the README's figure must too
    expect(departures.filter((r) => !explained(betterCases[betterRows.indexOf(r)].requiredFeatures)).map((r) => r.id)).toEqual([]);
  });

  it("BetterTLS pathbuilding: every chain chainsmith chooses is valid for Go and for OpenSSL", () => {
    const accepted = betterRows.filter((r) => r.verdicts.chosen);
    expect(accepted).toHaveLength(betterRows.filter((r) => r.expected === "accept").length);
    expect(accepted.filter((r) => r.verdicts.goOnChosen !== "accept" || r.verdicts.opensslOnChosen !== "accept").map((r) => r.id)).toEqual([]);
  });

  it("corpus: each validator gives the expected verdict, or the departure the case documents", () => {
    const undocumented = corpus.flatMap((c, i) =>
      (["chainsmith", "go", "openssl"] as const).filter((v) => corpusRows[i].verdicts[v] !== expectedOf(c, v)).map((v) => `${c.id}: ${v} ${corpusRows[i].verdicts[v]}s, expected ${expectedOf(c, v)}`),
    );
    expect(undocumented).toEqual([]);
  });

  it("corpus: a chosen chain avoids the refused certificates, and each peer that accepts the case accepts the chosen chain", () => {
    const problems = corpus.flatMap((c, i) => {
      const v = corpusRows[i].verdicts;
      if (!v.chosen) return [];
      return [
        ...(c.avoid ?? []).filter((a) => v.chosen!.includes(a.cert.sha256)).map((a) => `${c.id}: chose ${a.cert.label}`),
        ...(v.go === "accept" && v.goOnChosen !== "accept" ? [`${c.id}: Go refuses the chosen chain`] : []),
        ...(v.openssl === "accept" && v.opensslOnChosen !== "accept" ? [`${c.id}: OpenSSL refuses the chosen chain`] : []),
      ];
    });
    expect(problems).toEqual([]);
  });
});
