// Runs the real `chainsmith` command (bin/chainsmith.js over the compiled dist/) as a child
// process, and checks first that dist/ is not older than the sources it runs.
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../harness/repo-root";
import { run, type RunResult } from "../../harness/run";

export const BIN = path.join(repoRoot, "bin", "chainsmith.js");

export function chainsmith(args: string[], options: { cwd?: string; input?: string } = {}): Promise<RunResult> {
  return run(process.execPath, [BIN, ...args], { ...options, timeoutMs: 120_000 });
}

/** Throws, saying what to run, when a source under cli/, chain/ or probe/ is newer than its compiled file. */
export function assertBuildIsCurrent(): void {
  for (const dir of ["cli", "chain", "probe"]) {
    for (const file of fs.readdirSync(path.join(repoRoot, dir), { recursive: true }).map(String).filter((f) => f.endsWith(".ts"))) {
      const source = path.join(repoRoot, dir, file);
      const compiled = path.join(repoRoot, "dist", dir, file.replace(/\.ts$/, ".js"));
      if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(source).mtimeMs) {
        throw new Error(`${path.relative(repoRoot, compiled)} is missing or older than ${dir}/${file}: run 'npm run build' (npx tsc -p tsconfig.json) before the CLI tests.`);
      }
    }
  }
}
