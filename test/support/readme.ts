// The README's code blocks, which tests run or check as they are.
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../harness/repo-root";

/** The README's first fenced block of this language. */
export function readmeBlock(language: string): string {
  const block = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8"))?.[1];
  if (!block) throw new Error(`README.md has no \`\`\`${language} block`);
  return block;
}
