// The generated Go SDK (sdk/go) compiles with a program on it (test/fixtures/sdk-go: the
// README's Linux deployment in Go), offline: its modules are put in Go's module cache by
// scripts/install-sdk-checks.sh. No Go language host runs here, so the program is not run.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../harness/repo-root";
import { described, run } from "../../../harness/run";

describe("the generated Go SDK", () => {
  it("compiles (go build) with a program that creates the CertificateDeployment", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-sdk-go-"));
    try {
      const binary = path.join(out, "sdk-check");
      const r = await run("go", ["build", "-o", binary, "."], {
        cwd: path.join(repoRoot, "test", "fixtures", "sdk-go"),
        env: { ...process.env, GOPROXY: "off", GOFLAGS: "-mod=readonly" },
        timeoutMs: 600_000,
      });
      expect(r.code, `${described(r)}\n(run bash scripts/install-sdk-checks.sh for the Go modules)`).toBe(0);
      expect(fs.statSync(binary).size).toBeGreaterThan(0);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 600_000);
});
