// Runs the real `chainsmith` command (bin/chainsmith.js over the compiled dist/) as a
// process, and checks first that dist/ is not older than the sources it runs.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../harness/repo-root";

const ROOT = repoRoot;
export const BIN = path.join(ROOT, "bin", "chainsmith.js");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function chainsmith(args: string[], options: { cwd?: string } = {}): CliRun {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd, encoding: "utf8", timeout: 60_000 });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Throws, saying what to run, when a source under cli/ or chain/ is newer than its compiled file. */
export function assertBuildIsCurrent(): void {
  for (const dir of ["cli", "chain"]) {
    for (const file of fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(".ts"))) {
      const source = path.join(ROOT, dir, file);
      const compiled = path.join(ROOT, "dist", dir, file.replace(/\.ts$/, ".js"));
      if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(source).mtimeMs) {
        throw new Error(`${path.relative(ROOT, compiled)} is missing or older than ${dir}/${file}: run 'npm run build' (npx tsc -p tsconfig.json) before the CLI tests.`);
      }
    }
  }
}
