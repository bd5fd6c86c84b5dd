// The checkout this code runs from, whether from the sources (harness/) or compiled (dist/harness/).
import * as fs from "node:fs";
import * as path from "node:path";

function findRepoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "chainsmith") return dir;
  }
  throw new Error(`no chainsmith checkout above ${__dirname}`);
}

export const repoRoot = findRepoRoot();
