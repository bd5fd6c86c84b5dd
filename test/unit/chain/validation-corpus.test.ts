// Every case of the validation corpus (test/fixtures/validation) through chainsmith's chain
// choice, in process: the verdict, the refusal code of a rejection, and for cases where a
// valid path exists beside refused ones, a choice that avoids the refused certificates.
import { beforeAll, describe, expect, it } from "vitest";
import { ChainBuildError, ChainsmithInputError } from "../../../chain/errors";
import { choosePath } from "../../../chain/policy";
import { certsOf, profileOf } from "../../../harness/scenarios";
import { ValidationCase, expectedOf, validationCorpus } from "../../../harness/validation/corpus";

let corpus: ValidationCase[];
beforeAll(async () => {
  corpus = await validationCorpus();
});

/** What went wrong with one case, or undefined. */
function problemWith(c: ValidationCase): string | undefined {
  let outcome: { chain: string[] } | Error;
  try {
    outcome = { chain: choosePath(c.leaf.cert, certsOf(...c.pool), { profiles: [profileOf("anchors", ...c.anchors)], at: c.at }).chain.map((x) => x.sha256) };
  } catch (e) {
    if (!(e instanceof ChainBuildError || e instanceof ChainsmithInputError)) return `${c.id}: threw ${(e as Error).stack}`;
    outcome = e;
  }
  const expected = expectedOf(c, "chainsmith");
  if (!(outcome instanceof Error)) {
    if (expected === "reject") return `${c.id}: accepted, expected a rejection [${c.code}]`;
    const chosen = (c.avoid ?? []).filter((a) => (outcome as { chain: string[] }).chain.includes(a.cert.sha256));
    return chosen.length ? `${c.id}: the chosen chain holds ${chosen.map((a) => a.cert.label).join(", ")}` : undefined;
  }
  if (expected === "accept") return `${c.id}: rejected, expected accept: ${outcome.message}`;
  const code = (outcome as ChainBuildError).code;
  if (c.code && code !== c.code && !outcome.message.includes(`[${c.code}]`)) return `${c.id}: rejected without [${c.code}]: ${outcome.message}`;
  return undefined;
}

describe("validation corpus, chainsmith in process", () => {
  it("gives every case its verdict, with the named reason for each rejection", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(120);
    expect(corpus.map(problemWith).filter(Boolean)).toEqual([]);
  });

  it("names a refusal code for every rejected case", () => {
    expect(corpus.filter((c) => c.expected === "reject" && !c.code).map((c) => c.id)).toEqual([]);
  });
});
