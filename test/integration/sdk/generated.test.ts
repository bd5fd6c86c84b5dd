// sdk/ is what `pulumi package gen-sdk` makes of the provider's schema, never edited by hand:
// the SDKs are generated again into a temp folder (scripts/gen-sdk.sh, in a child process,
// from the compiled plugin) and must equal the committed ones file by file. When this fails,
// run `npm run gen-sdk` and commit sdk/.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../harness/repo-root";
import { runOk } from "../../../harness/run";

const LANGUAGES = ["nodejs", "python", "go", "dotnet"];

function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, file), fs.readFileSync(file));
    }
  }
  return files;
}

describe("the generated SDKs in sdk/", () => {
  it("equal a fresh `pulumi package gen-sdk` of the plugin's schema (npm run gen-sdk regenerates them)", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-gen-sdk-"));
    try {
      await runOk("bash", [path.join(repoRoot, "scripts", "gen-sdk.sh"), out], { timeoutMs: 600_000 });
      for (const language of LANGUAGES) {
        const fresh = filesUnder(path.join(out, language));
        const committed = filesUnder(path.join(repoRoot, "sdk", language));
        expect([...committed.keys()].sort(), `sdk/${language}: files (run npm run gen-sdk)`).toEqual([...fresh.keys()].sort());
        const stale = [...fresh].filter(([file, bytes]) => !committed.get(file)?.equals(bytes)).map(([file]) => `sdk/${language}/${file}`);
        expect(stale, "stale generated files: run npm run gen-sdk and commit sdk/").toEqual([]);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 600_000);
});
