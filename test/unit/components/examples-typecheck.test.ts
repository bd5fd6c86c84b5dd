// The example programs, and the program in the README, typecheck against the public API
// (index.ts) as a user's project would see it, with `chainsmith` mapped to this checkout
// (examples/tsconfig.json).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const tscBin = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");

function typecheck(project: string): { status: number | null; output: string } {
  const tsc = spawnSync(process.execPath, [tscBin, "-p", project], { encoding: "utf8" });
  return { status: tsc.status, output: tsc.stdout + tsc.stderr };
}

it("every example program typechecks against the chainsmith API", () => {
  const result = typecheck(path.join(repoRoot, "examples", "tsconfig.json"));
  expect(result.status, result.output).toBe(0);
}, 120_000);

it("the README's program typechecks against the chainsmith API", () => {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const program = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(program, "README.md has no ```ts block").toBeDefined();
  // Inside examples/, so that packages resolve from the checkout's node_modules as for the examples.
  const dir = fs.mkdtempSync(path.join(repoRoot, "examples", ".readme-"));
  try {
    fs.writeFileSync(path.join(dir, "index.ts"), program!);
    const config = { extends: "../tsconfig.json", include: ["index.ts"] };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(config));
    const result = typecheck(path.join(dir, "tsconfig.json"));
    expect(result.status, result.output).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
