// `chainsmith explain`: the same inputs as `bundle`; prints every candidate chain and why
// it won or lost, as a terminal table or (--markdown) a report with a Mermaid graph.
import { renderExplanation, renderExplanationMarkdown } from "../chain/explain";
import { FlagSpecs, booleanFlag, parseCommandLine } from "./args";
import { CHAIN_INPUT_FLAGS, chooseChain, readChainInputs } from "./inputs";
import type { Io } from "./main";

const FLAGS: FlagSpecs = {
  ...CHAIN_INPUT_FLAGS,
  markdown: { type: "boolean", help: "print a Markdown report (candidates, Mermaid graph, per-client table)" },
};

const SYNOPSIS = "--leaf FILE --pool FILE [--pool FILE ...] [--anchors FILE] [--profile NAME|name=FILE ...] [--policy POLICY] [--at ISO-8601] [--markdown]";

export async function runExplain(argv: string[], io: Io): Promise<number> {
  const values = parseCommandLine("explain", SYNOPSIS, argv, FLAGS, io);
  if (!values) return 0;
  const choice = chooseChain(await readChainInputs("explain", values));
  io.out(booleanFlag(values, "markdown") ? renderExplanationMarkdown(choice) : renderExplanation(choice));
  return 0;
}
