// Every case of the validation corpus (test/fixtures/validation) through chainsmith's chain
// choice, in process: the verdict, the refusal code of a rejection, and for cases where a
// valid path exists beside refused ones, a choice that avoids the refused certificates.
import { describe, expect, it } from "vitest";
import { ChainBuildError, ChainsmithInputError } from "../../../chain/errors";
import { choosePath } from "../../../chain/policy";
import { certsOf, profileOf } from "../../fixtures/scenarios";
import { expectedOf, validationCorpus } from "../../fixtures/validation/corpus";

const corpus = await validationCorpus();

describe("validation corpus, chainsmith in process", () => {
  for (const c of corpus) {
    it(`${c.id}: ${c.about} (${expectedOf(c, "chainsmith")})`, () => {
      const choose = () => choosePath(c.leaf.cert, certsOf(...c.pool), { profiles: [profileOf("anchors", ...c.anchors)], at: c.at });
      if (expectedOf(c, "chainsmith") === "accept") {
        const choice = choose();
        for (const avoided of c.avoid ?? []) expect(choice.chain.map((x) => x.sha256)).not.toContain(avoided.cert.sha256);
        return;
      }
      let error: unknown;
      try {
        choose();
      } catch (e) {
        error = e;
      }
      expect(error instanceof ChainBuildError || error instanceof ChainsmithInputError).toBe(true);
      const { code, message } = error as ChainBuildError;
      if (c.code) expect(code === c.code || message.includes(`[${c.code}]`), `${code}: ${message}`).toBe(true);
    });
  }
});
