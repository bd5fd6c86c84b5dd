/**
 * `chainsmith inspect --targets` draws a progress bar on stderr when stderr is a terminal,
 * and only then. The real command (bin/chainsmith.js over dist/) runs under `script`, which
 * gives it a pseudo-terminal; the servers stay in this process.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pki, type Issued } from "../../../harness/pki";
import { run } from "../../../harness/run";
import { startNodeTlsServer, type RunningServer } from "../../../harness/tls-servers";
import { assertBuildIsCurrent, BIN } from "../../support/chainsmith-cli";

const ROOT = path.resolve(__dirname, "../../..");
let dir: string;
let servers: RunningServer[] = [];
let root: Issued;

/** dist/probe must be as new as probe/ too: the command runs the compiled code. */
function assertProbeBuildIsCurrent(): void {
  for (const name of fs.readdirSync(path.join(ROOT, "probe")).filter((f) => f.endsWith(".ts"))) {
    const compiled = path.join(ROOT, "dist", "probe", name.replace(/\.ts$/, ".js"));
    if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(path.join(ROOT, "probe", name)).mtimeMs) {
      throw new Error(`dist/probe/${name.replace(/\.ts$/, ".js")} is missing or older than probe/${name}: run 'npx tsc -p tsconfig.json' first.`);
    }
  }
}

beforeAll(async () => {
  assertBuildIsCurrent();
  assertProbeBuildIsCurrent();
  const pki = new Pki();
  root = await pki.root("Progress Root");
  const ca = await pki.intermediate("Progress CA", root);
  const leaf = await pki.leaf("progress.probe.test", ca);
  servers = await Promise.all([0, 1, 2].map(() => startNodeTlsServer({ chains: [{ certificates: [leaf, ca] }] })));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-progress-"));
  fs.writeFileSync(path.join(dir, "root.pem"), root.pem);
  fs.writeFileSync(path.join(dir, "targets.txt"), servers.map((s) => `127.0.0.1:${s.port} progress.probe.test\n`).join(""));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("inspect --targets progress bar", () => {
  const args = () => [BIN, "inspect", "--targets", path.join(dir, "targets.txt"), "--profile", `private=${path.join(dir, "root.pem")}`, "--json"];

  it("is drawn on a terminal, and the JSON lines still come out", async () => {
    const command = [process.execPath, ...args()].map((a) => `'${a}'`).join(" ");
    const { code, stdout } = await run("script", ["-qec", command, "/dev/null"]);
    expect(code).toBe(0);
    expect(stdout).toContain("] 3/3");
    expect(stdout).toMatch(/\[#{30}\] 3\/3/);
    expect(stdout.split("\n").filter((line) => line.includes('"served"'))).toHaveLength(3);
  });

  it("is not drawn when stderr is not a terminal", async () => {
    const { code, stdout, stderr } = await run(process.execPath, args());
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout.trim().split("\n").map((line) => JSON.parse(line).ok)).toEqual([true, true, true]);
  });
});
