/**
 * The bundled client profiles from the command line: `chainsmith profiles` lists them,
 * `--profile android-4.4` needs no file, and `inspect` says which client behaviour decided
 * each verdict. Runs the compiled CLI (bin/chainsmith.js over dist/) in child processes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledStores } from "../../../chain/bundled-stores";
import { Pki } from "../../../harness/pki";
import { chainsmith as cli } from "../../support/chainsmith-cli";
import { startNodeTlsServer, type RunningServer } from "../../../harness/tls-servers";

const chainsmith = (...args: string[]) => cli(args);
const DAY = 86_400_000;

describe("chainsmith profiles", () => {
  it("lists every bundled store with its date, platform, behaviour, source and licence", async () => {
    const ran = await chainsmith("profiles");
    expect(ran.code).toBe(0);
    for (const store of bundledStores()) {
      const row = ran.stdout.split("\n").find((line) => line.trim().startsWith(`${store.name} `));
      expect(row, store.name).toBeDefined();
      for (const field of [store.date, store.platform, store.behaviour, store.licence]) expect(row).toContain(field);
    }
    expect(ran.stdout).toContain("name=FILE");
  });

  it("shows one profile's roots and behaviour (--json), and refuses an unknown name with exit 2", async () => {
    const one = await chainsmith("profiles", "android-4.4", "--json");
    expect(one.code).toBe(0);
    const shown = JSON.parse(one.stdout);
    expect(shown).toMatchObject({ name: "android-4.4", date: "2017-03", licence: "BSD-2-Clause", behaviour: { id: "android-before-7.1.1", anchor: "ignores-expiry" } });
    expect(shown.roots).toHaveLength(149);
    expect(shown.roots.map((r: { subject: string }) => r.subject)).toContain("O=Digital Signature Trust Co., CN=DST Root CA X3");
    const unknown = await chainsmith("profiles", "android-9.9");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("[bad-profile]");
  });
});

describe("inspect with bundled profiles", () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    // DST Root CA X3's story, around now: the old root expired, its cross-sign of X1 did not.
    const now = new Date();
    const pki = new Pki({ now });
    const oldRoot = await pki.root("Old Expired Root", { notBefore: new Date(now.getTime() - 5000 * DAY), notAfter: new Date(now.getTime() - 10 * DAY) });
    const x1 = await pki.root("New Root X1");
    const x1ByOld = await pki.crossSign(x1, oldRoot, { notBefore: new Date(now.getTime() - 100 * DAY) });
    const ca = await pki.intermediate("Issuing CA R3", x1);
    const leaf = await pki.leaf("inspect-profiles.test", ca);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-profiles-"));
    fs.writeFileSync(path.join(dir, "old-root.pem"), oldRoot.pem);
    server = await startNodeTlsServer({ chains: [{ certificates: [leaf, ca, x1ByOld] }] });
  });
  afterAll(async () => {
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("takes --profile android-4.4 with no file, and says which behaviour decided each verdict", async () => {
    const oldRoot = path.join(dir, "old-root.pem");
    const args = ["inspect", `127.0.0.1:${server.port}`, "--servername", "inspect-profiles.test", "--profile", "android-4.4", "--profile", `old-android@android-before-7.1.1=${oldRoot}`, "--profile", `old-curl=${oldRoot}`];
    const json = await chainsmith(...args, "--json");
    expect(json.code).toBe(1);
    const verdicts = JSON.parse(json.stdout).profiles;
    expect(verdicts.map((v: { profile: string; trusted: boolean; decidedBy?: string }) => [v.profile, v.trusted, v.decidedBy ?? "-"])).toEqual([
      ["android-4.4", false, "-"],
      ["old-android", true, "anchor-expiry-ignored"],
      ["old-curl", false, "anchor-expiry-checked"],
    ]);
    const text = await chainsmith(...args);
    expect(text.stdout).toMatch(/profile +verdict +decided by +why/);
    expect(text.stdout).toMatch(/old-android +trusted +anchor-expiry-ignored +trusted via /);
  });
});
