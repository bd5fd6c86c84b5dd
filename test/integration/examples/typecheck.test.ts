// The example programs, and the program in the README, typecheck against the public API
// (index.ts) as a user's project would see it, with `chainsmith` mapped to this checkout
// (examples/tsconfig.json). The compiler runs as a child process.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../../../harness/pulumi";
import { described, run } from "../../../harness/run";

const tsc = (project: string) => run(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", project], { timeoutMs: 240_000 });

it("every example program typechecks against the chainsmith API", async () => {
  const result = await tsc(path.join(repoRoot, "examples", "tsconfig.json"));
  expect(result.code, described(result)).toBe(0);
}, 300_000);

it("the README's program typechecks against the chainsmith API", async () => {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const program = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(program, "README.md has no ```ts block").toBeDefined();
  // Inside examples/, so that packages resolve from the checkout's node_modules as for the examples.
  const dir = fs.mkdtempSync(path.join(repoRoot, "examples", ".readme-"));
  try {
    fs.writeFileSync(path.join(dir, "index.ts"), program!);
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ extends: "../tsconfig.json", include: ["index.ts"] }));
    const result = await tsc(path.join(dir, "tsconfig.json"));
    expect(result.code, described(result)).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
