// `chainsmith bundle --out` as a process, against what a directory can hold: a user who can
// write it swapping the temporary files for links to a root file, and paths where mkdir
// loops (/proc). Modes go to the files written, never through a name.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../../harness/run";
import { ATTACKER_USER, testUserIds } from "../../../harness/sshd";
import { crossSignedSite } from "../../../harness/scenarios";
import { assertBuildIsCurrent, BIN } from "../../support/chainsmith-cli";
import { makeVictim, startSwapper } from "../../support/temporary-file-swapper";

let dir: string;
const at = (name: string) => path.join(dir, name);
const bundle = (...args: string[]) => run(process.execPath, [BIN, "bundle", ...args], { timeoutMs: 60_000 });

beforeAll(async () => {
  assertBuildIsCurrent();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-bundle-out-"));
  const site = await crossSignedSite();
  fs.writeFileSync(at("leaf.pem"), site.leaf.pem);
  fs.writeFileSync(at("leaf.key"), site.leaf.keyPem);
  fs.writeFileSync(at("pool.pem"), site.intermediate.pem + site.newRootByOld.pem);
  fs.writeFileSync(at("root.pem"), site.oldRoot.pem);
});
afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

const files = () => ["--leaf", at("leaf.pem"), "--key", at("leaf.key"), "--pool", at("pool.pem"), "--anchors", at("root.pem")];

describe("bundle --out", () => {
  it("a user who can write the directory cannot get a root file chmodded through the temporary files", async () => {
    const out = at("shared");
    fs.mkdirSync(out);
    const attacker = testUserIds(ATTACKER_USER);
    fs.chownSync(out, attacker.uid, attacker.gid);
    const victim = makeVictim();
    const before = victim.facts();
    const swapper = await startSwapper(out, victim.file);
    try {
      for (let attempt = 1; attempt <= 5; attempt++) {
        await bundle(...files(), "--out", out);
        expect(victim.facts(), `after run ${attempt}`).toEqual(before);
      }
    } finally {
      await swapper.stop();
      victim.remove();
    }
  });

  it("a directory that cannot be made (under /proc) fails at once with out-unwritable, not a hang", async () => {
    const r = await bundle(...files(), "--out", "/proc/chainsmith-out/tls");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/\[out-unwritable\]: --out \/proc\/chainsmith-out\/tls: cannot create the directory \(ENOENT\)/);
  });

  it("writes the files with their modes and leaves no temporary file", async () => {
    const out = at("plain/nested");
    const r = await bundle(...files(), "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(["cert.pem", "chain.pem", "fullchain.pem", "haproxy.pem", "privkey.pem"]);
    expect(fs.statSync(path.join(out, "privkey.pem")).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(out, "fullchain.pem")).mode & 0o777).toBe(0o644);
  });

  it("says which files of an earlier run it did not rewrite (a key that does not go with the new chain)", async () => {
    const out = at("again");
    expect((await bundle(...files(), "--out", out)).code).toBe(0);
    const withoutKey = await bundle("--leaf", at("leaf.pem"), "--pool", at("pool.pem"), "--anchors", at("root.pem"), "--out", out);
    expect(withoutKey.code, withoutKey.stderr).toBe(0);
    for (const name of ["privkey.pem", "haproxy.pem"]) {
      expect(withoutKey.stderr).toContain(`warning: ${path.join(out, name)} is from an earlier run and was not rewritten: it does not go with this chain. Remove it, or give what writes it (--key).`);
    }
    expect(withoutKey.stderr).not.toContain("fullchain.pem is from an earlier run");
  });
});
