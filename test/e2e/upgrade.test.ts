// An upgrade from chainsmith 0.1, which deployed through dynamic providers, on the real engine.
// fixtures/chainsmith-0.1-state holds the state 0.1 wrote for examples/local-demo with one
// server (recorded once; the state dir, the port and 0.1's checkout templated, the PKI valid
// until 2100). Its checkout is gone: the state's serialized code must never run. This version
// takes the children over in place (aliases): nothing is created, deleted or restored on the
// host, the state loses the old code, and the stack is clean afterwards.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as site from "../../examples/local-demo/demo-site";
import { createStack, type PulumiStack } from "../../harness/pulumi";
import { described } from "../../harness/run";
import { probe } from "../../probe/probe";

const fixture = path.join(__dirname, "fixtures", "chainsmith-0.1-state");
const programDir = path.join(__dirname, "..", "..", "examples", "local-demo");
const read = (file: string) => fs.readFileSync(file, "utf8");

describe("a stack deployed by chainsmith 0.1 (dynamic providers), upgraded", () => {
  let stateDir: string;
  let server: site.DemoServer;
  let stack: PulumiStack;
  const pki = (name: string) => path.join(stateDir, "pki", name);
  const serverFile = (name: string) => path.join(server.dir, name);
  const desired = () => read(pki("leaf.pem")) + read(pki("intermediate.pem")) + read(pki("root-r46-by-legacy.pem"));

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-upgrade-"));
    fs.cpSync(path.join(fixture, "pki"), path.join(stateDir, "pki"), { recursive: true });
    // The server as 0.1 left it: the desired chain, and the files it found kept as backups.
    server = await site.startServer(path.join(stateDir, "server-1"), [pki("leaf.pem"), pki("intermediate.pem"), pki("root-r46-by-legacy.pem")], pki("leaf.key"));
    fs.writeFileSync(serverFile("fullchain.pem.chainsmith.bak"), read(pki("leaf.pem")) + read(pki("intermediate.pem")));
    fs.copyFileSync(pki("leaf.key"), serverFile("privkey.pem.chainsmith.bak"));

    stack = await createStack(programDir, { stackName: "upgrade", config: { stateDir }, transpileOnly: true });
    // The secrets in the recorded state are encrypted under the salt of the stack that wrote them.
    const config = read(stack.configFile).replace(/^encryptionsalt: .*$/m, `encryptionsalt: ${read(path.join(fixture, "encryptionsalt")).trim()}`);
    fs.writeFileSync(stack.configFile, config);
    const state = read(path.join(fixture, "state.json"))
      .split("{{STATE_DIR}}").join(stateDir)
      .split('"{{PORT}}"').join(String(server.port))
      .split("{{PORT}}").join(String(server.port))
      .split("{{OLD_CHECKOUT}}").join("/nonexistent/chainsmith-0.1-checkout");
    fs.writeFileSync(path.join(stateDir, "state.json"), state);
    await stack.runOk(["stack", "import", "--file", path.join(stateDir, "state.json")]);
  }, 180_000);

  afterAll(async () => {
    await stack?.dispose();
    if (server) site.stopServer(server);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("preview takes every child over in place: nothing to create, delete or replace", async () => {
    const r = await stack.run(["preview", "--json"]);
    expect(r.code, described(r)).toBe(0);
    const steps = (JSON.parse(r.stdout) as { steps: { op: string; urn: string }[] }).steps;
    const ops = (type: string) => steps.filter((s) => s.urn.includes(type)).map((s) => s.op);
    expect(ops("chainsmith:linux:TlsFiles::local-demo-server-1")).not.toContainEqual(expect.stringMatching(/create|delete|replace/));
    expect(ops("chainsmith:index:ServedChainCheck::local-demo-verify")).not.toContainEqual(expect.stringMatching(/create|delete|replace/));
    expect(steps.filter((s) => s.urn.includes("pulumi-nodejs:dynamic:Resource")).map((s) => s.op)).not.toContainEqual(expect.stringMatching(/delete/));
  });

  it("up leaves the host as deployed, drops 0.1's code from the state, and the stack is then clean", async () => {
    const r = await stack.run(["up", "--yes", "--skip-preview"]);
    expect(r.code, described(r)).toBe(0);
    expect(r.stdout).not.toMatch(/restored|deleted/);
    expect(read(serverFile("fullchain.pem"))).toBe(desired());
    expect(fs.existsSync(serverFile("fullchain.pem.chainsmith.bak"))).toBe(true);
    expect((await probe({ host: "127.0.0.1", port: server.port })).certificates.map((c) => c.pem).join("")).toBe(desired());

    const exported = (await stack.runOk(["stack", "export"])).stdout;
    expect(exported).not.toContain("__provider");
    expect(exported).not.toContain("pulumi-nodejs:dynamic:Resource");
    const quiet = await stack.run(["preview", "--expect-no-changes"]);
    expect(quiet.code, described(quiet)).toBe(0);
  });

  it("destroy with this version puts back the files 0.1 found", async () => {
    const r = await stack.run(["destroy", "--yes", "--skip-preview"]);
    expect(r.code, described(r)).toBe(0);
    expect(read(serverFile("fullchain.pem"))).toBe(read(pki("leaf.pem")) + read(pki("intermediate.pem")));
  });
});
