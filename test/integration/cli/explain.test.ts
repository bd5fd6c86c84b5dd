import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pki, pemOf, type Issued } from "../../../harness/pki";
import { assertBuildIsCurrent, chainsmith } from "../../support/chainsmith-cli";

// Let's Encrypt's shape: ISRG X1 self-signed and cross-signed by DST Root CA X3, which expired.
let dir: string;
let dst: Issued;
let x1: Issued;
let x1ByDst: Issued;
let r3: Issued;
const at = (name: string) => path.join(dir, name);

function inputs(...extra: string[]): string[] {
  return ["--leaf", at("leaf.pem"), "--pool", at("pool.pem"), "--profile", `old-android=${at("dst.pem")}`, "--profile", `current=${at("x1.pem")}`, ...extra];
}

beforeAll(async () => {
  assertBuildIsCurrent();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-explain-"));
  const pki = new Pki({ now: new Date("2021-06-01T00:00:00Z") });
  dst = await pki.root("DST Root CA X3", { notBefore: new Date("2000-09-30T00:00:00Z"), notAfter: new Date("2021-09-30T14:01:15Z") });
  x1 = await pki.root("ISRG Root X1", { notBefore: new Date("2015-06-04T00:00:00Z") });
  x1ByDst = await pki.crossSign(x1, dst, { notAfter: new Date("2024-09-30T00:00:00Z") });
  r3 = await pki.intermediate("R3", x1);
  const leaf = await pki.leaf("explain.example.test", r3, { notAfter: new Date("2021-12-01T00:00:00Z") });
  fs.writeFileSync(at("leaf.pem"), leaf.pem);
  fs.writeFileSync(at("pool.pem"), pemOf(r3, x1ByDst, x1));
  fs.writeFileSync(at("dst.pem"), dst.pem);
  fs.writeFileSync(at("x1.pem"), x1.pem);
});
afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

describe("chainsmith explain", () => {
  it("lists every candidate path with the chosen one marked, before DST expired", async () => {
    const run = await chainsmith(["explain", ...inputs("--at", "2021-06-01T00:00:00Z")]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("policy widest");
    const rows = run.stdout.split("\n").filter((line) => /^\d\s/.test(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^1\s+\*\s+3\s+2\/2 old-android, current\s+DST Root CA X3/);
    expect(rows[1]).toMatch(/^2\s+2\s+1\/2 current\s+ISRG Root X1/);
  });

  it("after DST expired, only the path to ISRG Root X1 is left", async () => {
    const run = await chainsmith(["explain", ...inputs("--at", "2021-10-01T00:00:00Z")]);
    expect(run.code).toBe(0);
    const rows = run.stdout.split("\n").filter((line) => /^\d\s/.test(line));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain("ISRG Root X1");
  });

  it("--markdown prints the candidates table, a Mermaid graph with the chosen path, and a per-client table", async () => {
    const run = await chainsmith(["explain", ...inputs("--at", "2021-06-01T00:00:00Z", "--markdown")]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^### Certificate chain for `explain\.example\.test`/);
    expect(run.stdout).toContain("| 1 | **chosen** |");
    expect(run.stdout).toContain("```mermaid\nflowchart");
    expect(run.stdout).toContain(`c${x1ByDst.cert.sha256.slice(0, 12)}`);
    expect(run.stdout).toMatch(/\| old-android \| yes \|/);
  });

  it("exits 1 with no valid path and 2 on bad input, like bundle", async () => {
    const onlyDst = ["--leaf", at("leaf.pem"), "--pool", at("pool.pem"), "--profile", `old-android=${at("dst.pem")}`, "--at", "2021-10-01T00:00:00Z"];
    const none = await chainsmith(["explain", ...onlyDst]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("anchor DST Root CA X3");
    const expired = await chainsmith(["explain", ...inputs("--at", "2199-01-01")]);
    expect(expired.code).toBe(2);
    expect(expired.stderr).toMatch(/\[leaf-expired\]: The leaf explain\.example\.test \[[0-9a-f]+\] expired on 2021-12-01T00:00:00\.000Z .*Renew it/);
    const bad = await chainsmith(["explain", "--leaf", at("pool.pem"), "--markdown", "--json"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--json'");
  });
});

describe("chainsmith", () => {
  it("lists its commands with --help (exit 0) and without arguments (exit 2)", async () => {
    const help = await chainsmith(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: chainsmith <command>/);
    expect(help.stdout).toMatch(/\n  bundle\s/);
    expect(help.stdout).toMatch(/\n  explain\s/);
    const bare = await chainsmith([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("usage: chainsmith <command>");
  });

  it("rejects an unknown command with exit 2", async () => {
    const run = await chainsmith(["bunlde"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'bunlde'");
  });

  it("prints each command's flags with --help", async () => {
    const run = await chainsmith(["explain", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--markdown");
    expect(run.stdout).toContain("--profile NAME|name=FILE ...");
  });
});
