// The IIS provider's methods run from dist/ (Pulumi serializes one-liners that require it):
// tests that go through them first check that dist/ is not older than the sources.
import * as fs from "node:fs";
import * as path from "node:path";
import { iisTargetImplementation } from "../../../providers/windows/iis-provider";

export function assertIisProviderCompiled(): void {
  const dirs = ["providers/windows", "providers/ssh", "providers/linux", "chain", "probe"].map((d) => path.resolve(__dirname, "../../..", d));
  const newest = Math.max(...dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith(".ts")).map((f) => fs.statSync(path.join(d, f)).mtimeMs)));
  if (!fs.existsSync(iisTargetImplementation) || fs.statSync(iisTargetImplementation).mtimeMs < newest) {
    throw new Error(`${iisTargetImplementation} is missing or older than the sources: run "npx tsc -p tsconfig.json" first (npm test does).`);
  }
}
