// What the e2e tests assert about a Pulumi run, shared: the two pipeline commands that must
// fail while a stack has drifted.
import { expect } from "vitest";
import type { PulumiResult, PulumiStack } from "../../harness/pulumi";
import { described } from "../../harness/run";

/** `preview --expect-no-changes` and `refresh --preview-only --expect-no-changes` both exit non-zero. */
export async function expectPipelinesToFailOnDrift(stack: PulumiStack, timed: (label: string, r: PulumiResult) => PulumiResult): Promise<void> {
  const strict = timed("preview --expect-no-changes", await stack.run(["preview", "--expect-no-changes"]));
  expect(strict.code, described(strict)).not.toBe(0);
  const refresh = timed("refresh --preview-only --expect-no-changes", await stack.run(["refresh", "--preview-only", "--expect-no-changes"]));
  expect(refresh.code, described(refresh)).not.toBe(0);
}
