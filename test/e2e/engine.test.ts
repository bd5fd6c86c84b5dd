// The real Pulumi engine (CLI built from Go modules + our Node.js language host + the
// dynamic-provider plugin) runs a one-resource program whose dynamic provider's diff reads a
// file on disk: `pulumi preview` must report the change after the file is edited. That is the
// drift mechanism chainsmith relies on.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStack, pulumiBinary, type PulumiResult, type PulumiStack } from "../support/pulumi";

const programDir = path.join(__dirname, "programs", "dynamic-smoke");
const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
const SECRET = "s3cr3t-token-value";
const output = (r: PulumiResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe("test/support/pulumi", () => {
  it("names the install script when the CLI is missing", () => {
    expect(() => pulumiBinary(path.join(os.tmpdir(), "no-such-checkout"))).toThrow(/bash scripts\/install-pulumi\.sh/);
  });
});

describe("real Pulumi engine with a dynamic provider", () => {
  let stack: PulumiStack | undefined;
  let dir: string;
  let watched: string;
  const timings: string[] = [];
  const timed = (label: string, r: PulumiResult) => (timings.push(`${label} ${r.ms} ms`), r);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-engine-"));
    watched = path.join(dir, "watched.txt");
    fs.writeFileSync(watched, "chain v1\n");
    stack = await createStack(programDir, { config: { watchedFile: watched }, secrets: { token: SECRET } });
  });

  afterAll(async () => {
    await stack?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    if (timings.length) console.log(`pulumi timings: ${timings.join(", ")}`);
  });

  it("pulumi up --yes creates the resource and exports its outputs", async () => {
    const r = timed("up", await stack!.run(["up", "--yes"]));
    expect(r.code, output(r)).toBe(0);
    expect(r.stdout).toMatch(/\+ 2 created/);
    const out = await stack!.outputs();
    expect(out.content).toBe("chain v1\n");
    expect(out.sha256).toBe(sha256("chain v1\n"));
    // The provider runs in its own process whose working directory is the program directory.
    expect(out.providerCwd).toBe(programDir);
  });

  it("secret config reaches the program and stays secret", async () => {
    expect((await stack!.outputs()).tokenLength).toBe(SECRET.length);
    const plain = await stack!.runOk(["stack", "output", "--json"]);
    expect(JSON.parse(plain.stdout).tokenLength).toBe("[secret]");
    const state = await stack!.runOk(["stack", "export"]);
    expect(state.stdout).not.toContain(SECRET);
  });

  it("a provider method can require project code at run time", async () => {
    const out = await stack!.outputs();
    // by an absolute path captured (as a string) when the program ran
    expect(out.probeByPath).toBe("probe-module saw 9 bytes");
    // by a path relative to the provider's working directory (the program directory)
    expect(out.probeRelative).toBe("probe-module saw 9 bytes");
    // by package name: NODE_PATH from test/support/pulumi holds a `chainsmith` link to the repo
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
    expect(out.probeByName).toBe(`chainsmith@${pkg.version}`);
  });

  it("pulumi preview shows no change while the file is untouched", async () => {
    const r = timed("preview", await stack!.run(["preview", "--expect-no-changes"]));
    expect(r.code, output(r)).toBe(0);
    expect(r.stdout).toMatch(/2 unchanged/);
  });

  it("pulumi preview reports drift after the file changes, and --expect-no-changes fails", async () => {
    fs.writeFileSync(watched, "chain v2 (edited behind Pulumi's back)\n");

    const r = timed("preview(drift)", await stack!.run(["preview"]));
    expect(r.code, output(r)).toBe(0);
    expect(r.stdout).toMatch(/~\s+pulumi-nodejs:dynamic:Resource\s+watched\s+update/);
    expect(r.stdout).toMatch(/~ 1 to update/);

    const strict = timed("preview --expect-no-changes", await stack!.run(["preview", "--expect-no-changes"]));
    expect(strict.code, output(strict)).not.toBe(0);
    expect(strict.stdout + strict.stderr).toMatch(/no changes were expected.* but changes were proposed/i);
  });

  it("pulumi up repairs the drift", async () => {
    const r = timed("up(repair)", await stack!.run(["up", "--yes", "--skip-preview"]));
    expect(r.code, output(r)).toBe(0);
    expect((await stack!.outputs()).sha256).toBe(sha256(fs.readFileSync(watched, "utf8")));
    const again = await stack!.run(["preview", "--expect-no-changes"]);
    expect(again.code, output(again)).toBe(0);
  });
});
