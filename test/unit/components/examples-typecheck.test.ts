// The example programs typecheck against the public API (index.ts) as a user's project would
// see it, with `chainsmith` mapped to this checkout (examples/tsconfig.json).
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "..", "..", "..");

it("every example program typechecks against the chainsmith API", () => {
  const tsc = spawnSync(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(repoRoot, "examples", "tsconfig.json")], { encoding: "utf8" });
  expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
}, 120_000);
