import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pki, type Issued } from "../../../harness/pki";
import { parseCertificates } from "../../../chain/parse";
import { writePfx } from "../../../chain/pfx-write";
import { assertBuildIsCurrent, chainsmith } from "../../support/chainsmith-cli";

// Sectigo's shape: R46 self-signed and cross-signed by the old AAA root; the CA under R46.
let dir: string;
let aaa: Issued;
let r46: Issued;
let r46ByAaa: Issued;
let ca: Issued;
let leaf: Issued;
const at = (name: string) => path.join(dir, name);

function write(name: string, content: string | Buffer): string {
  fs.writeFileSync(at(name), content);
  return at(name);
}

const bundle = (args: string[]) => chainsmith(["bundle", ...args]);

/** The flags of the usual scenario: both clients as custom profiles, the whole pool. */
function scenario(...extra: string[]): string[] {
  return ["--leaf", at("leaf.pem"), "--pool", at("ca.pem"), "--pool", at("r46-both.pem"), "--profile", `legacy=${at("aaa.pem")}`, "--profile", `modern=${at("r46.pem")}`, ...extra];
}

beforeAll(async () => {
  assertBuildIsCurrent();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-cli-"));
  const pki = new Pki();
  aaa = await pki.root("AAA Certificate Services", { keyType: "rsa", notBefore: new Date(Date.now() - 3650 * 86400_000) });
  r46 = await pki.root("Sectigo Public Server Authentication Root R46");
  r46ByAaa = await pki.crossSign(r46, aaa);
  ca = await pki.intermediate("Sectigo Public Server Authentication CA DV R36", r46);
  leaf = await pki.leaf("cli.example.test", ca);
  write("leaf.pem", leaf.pem);
  write("leaf.key", leaf.keyPem);
  write("ca.pem", ca.pem);
  write("r46-both.pem", r46ByAaa.pem + r46.pem);
  write("aaa.pem", aaa.pem);
  write("r46.pem", r46.pem);
  write("other.key", ca.keyPem);
});
afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

describe("chainsmith bundle", () => {
  it("prints the fullchain PEM: leaf, CA, cross-signed R46, so the legacy client reaches AAA", async () => {
    const run = await bundle(scenario());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const served = parseCertificates(run.stdout, "stdout").map((c) => c.sha256);
    expect(served).toEqual([leaf.cert.sha256, ca.cert.sha256, r46ByAaa.cert.sha256]);
    const verify = spawnSync("openssl", ["verify", "-CAfile", at("aaa.pem"), "-untrusted", write("served.pem", run.stdout), at("leaf.pem")], { encoding: "utf8" });
    expect(verify.stdout).toContain(": OK");
  });

  it("--json prints the chain (leaf first, anchor excluded), the anchor, the policy and every candidate", async () => {
    const run = await bundle(scenario("--json"));
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.chain).toEqual([
      { subject: leaf.cert.subject, issuer: ca.cert.subject, sha256: leaf.cert.sha256 },
      { subject: ca.cert.subject, issuer: r46.cert.subject, sha256: ca.cert.sha256 },
      { subject: r46ByAaa.cert.subject, issuer: aaa.cert.subject, sha256: r46ByAaa.cert.sha256 },
    ]);
    expect(json.anchor).toEqual({ subject: aaa.cert.subject, sha256: aaa.cert.sha256 });
    expect(json.policy).toBe("widest");
    expect(json.candidates.length).toBe(2);
    expect(json.candidates[0]).toMatchObject({ rank: 1, chosen: true, profiles: ["legacy", "modern"] });
    expect(json.candidates[1]).toMatchObject({ rank: 2, chosen: false, profiles: ["modern"], anchor: { sha256: r46.cert.sha256 } });
    expect(typeof json.candidates[1].why).toBe("string");
  });

  it("--policy shortest serves leaf and CA only, anchored at the self-signed R46", async () => {
    const json = JSON.parse((await bundle(scenario("--json", "--policy", "shortest"))).stdout);
    expect(json.chain.map((c: { sha256: string }) => c.sha256)).toEqual([leaf.cert.sha256, ca.cert.sha256]);
    expect(json.anchor.sha256).toBe(r46.cert.sha256);
    expect(json.policy).toBe("shortest");
  });

  it("--anchors alone makes one custom profile", async () => {
    const run = await bundle(["--leaf", at("leaf.pem"), "--pool", at("ca.pem"), "--pool", at("r46-both.pem"), "--anchors", at("aaa.pem"), "--json"]);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.anchor.sha256).toBe(aaa.cert.sha256);
    expect(json.candidates.every((c: { profiles: string[] }) => c.profiles.join() === "anchors")).toBe(true);
  });

  it("--out writes certbot's files and HAProxy's, the key files 0600, and openssl verifies them", async () => {
    const out = at("out");
    const run = await bundle(scenario("--key", at("leaf.key"), "--out", out));
    expect(run.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(["cert.pem", "chain.pem", "fullchain.pem", "haproxy.pem", "privkey.pem"]);
    expect(fs.statSync(path.join(out, "privkey.pem")).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(out, "haproxy.pem")).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(out, "fullchain.pem")).mode & 0o777).toBe(0o644);
    expect(run.stdout).toBe(fs.readFileSync(path.join(out, "fullchain.pem"), "utf8"));
    const verify = execFileSync("openssl", ["verify", "-CAfile", at("aaa.pem"), "-untrusted", path.join(out, "chain.pem"), path.join(out, "cert.pem")]).toString();
    expect(verify).toContain(": OK");
    const keyPublic = execFileSync("openssl", ["pkey", "-in", path.join(out, "privkey.pem"), "-pubout"]).toString();
    expect(keyPublic).toBe(execFileSync("openssl", ["x509", "-in", path.join(out, "cert.pem"), "-noout", "-pubkey"]).toString());
  });

  it("--pfx-profile legacy also writes cert.pfx (0600, 3DES, SHA-1 MAC) that openssl opens", async () => {
    write("out-pass.txt", "App Service 2026\n");
    const out = at("pfx-written");
    const run = await bundle(scenario("--key", at("leaf.key"), "--out", out, "--pfx-profile", "legacy", "--pfx-out-password-file", at("out-pass.txt"), "--json"));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).files).toContain(path.join(out, "cert.pfx"));
    expect(fs.statSync(path.join(out, "cert.pfx")).mode & 0o777).toBe(0o600);
    const info = spawnSync("openssl", ["pkcs12", "-in", path.join(out, "cert.pfx"), "-info", "-nodes", "-passin", "pass:App Service 2026"], { encoding: "utf8" });
    expect(info.status).toBe(0);
    expect(info.stderr).toContain("MAC: sha1");
    expect(info.stderr).toContain("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC");
    const certs = execFileSync("openssl", ["pkcs12", "-in", path.join(out, "cert.pfx"), "-nokeys", "-passin", "pass:App Service 2026"]);
    expect(parseCertificates(certs, "openssl output").map((c) => c.sha256)).toEqual([leaf.cert.sha256, ca.cert.sha256, r46ByAaa.cert.sha256]);
    expect(run.stderr).not.toContain("App Service 2026");
  });

  it("takes leaf and key from a PFX given as --leaf, and an encrypted key with its passphrase file", async () => {
    write("site.pfx", writePfx([leaf.cert, ca.cert], leaf.key.privateKey, "pfx pass", { profile: "legacy" }));
    write("pfx-pass.txt", "pfx pass\n");
    const fromPfx = await bundle(["--leaf", at("site.pfx"), "--pfx-password-file", at("pfx-pass.txt"), "--pool", at("r46-both.pem"), "--anchors", at("aaa.pem"), "--out", at("pfx-out")]);
    expect(fromPfx.code).toBe(0);
    expect(parseCertificates(fromPfx.stdout, "stdout").map((c) => c.sha256)).toEqual([leaf.cert.sha256, ca.cert.sha256, r46ByAaa.cert.sha256]);
    expect(fs.existsSync(at("pfx-out/privkey.pem"))).toBe(true);

    write("enc.key", execFileSync("openssl", ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:key pass"], { input: leaf.keyPem }));
    write("key-pass.txt", "key pass\n");
    const withKey = await bundle(scenario("--key", at("enc.key"), "--key-passphrase-file", at("key-pass.txt"), "--out", at("enc-out")));
    expect(withKey.code).toBe(0);
    expect(fs.readFileSync(at("enc-out/privkey.pem"), "utf8")).toContain("BEGIN PRIVATE KEY");
  });

  it("exits 1 when no valid path exists (the intermediate is missing from the pool)", async () => {
    const run = await bundle(["--leaf", at("leaf.pem"), "--pool", at("r46-both.pem"), "--profile", `legacy=${at("aaa.pem")}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^chainsmith: no valid chain \[no-valid-path\]/);
    expect(run.stderr).toContain("issuer 'Sectigo Public Server Authentication CA DV R36' not in pool or anchors");
  });

  it("exits 2 on an expired or not-yet-valid leaf, saying when and what to do, and writes nothing", async () => {
    const expired = await bundle(scenario("--at", "2199-01-01T00:00:00Z", "--out", at("expired-out")));
    expect(expired.code).toBe(2);
    expect(expired.stdout).toBe("");
    expect(expired.stderr).toMatch(/^chainsmith: error \[leaf-expired\]: The leaf cli\.example\.test \[[0-9a-f]+\] expired on \d{4}-\d\d-\d\dT.*\(checked at 2199-01-01T00:00:00\.000Z\)\. Renew it/);
    const early = await bundle(scenario("--at", "2000-01-01T00:00:00Z", "--out", at("early-out")));
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/\[leaf-not-yet-valid\]: The leaf cli\.example\.test \[[0-9a-f]+\] is not valid before .*\(checked at 2000-01-01T00:00:00\.000Z\)\. Check the clock/);
    expect(fs.existsSync(at("expired-out"))).toBe(false);
    expect(fs.existsSync(at("early-out"))).toBe(false);
  });

  describe("exits 2 on bad input, naming the problem", () => {
    it.each([
      ["no --leaf", ["--pool", "x.pem"], "missing-argument", /--leaf FILE is required/],
      ["unknown flag", ["--leaf", "x", "--pol", "y"], "bad-argument", /unknown option '--pol'/],
      ["a stray argument", ["leaf.pem"], "bad-argument", /unexpected argument 'leaf.pem'/],
      ["a missing file", ["--leaf", "/nonexistent/leaf.pem"], "file-unreadable", /--leaf \/nonexistent\/leaf\.pem: cannot read the file \(ENOENT\)/],
      ["a bad time", ["--leaf", "x", "--at", "yesterday"], "bad-time", /--at 'yesterday' is not an ISO-8601 time/],
      ["a bad policy", ["--leaf", "x", "--policy", "longest"], "bad-policy", /Unknown policy 'longest'/],
      ["a bad PFX profile", ["--leaf", "LEAF", "--out", "/tmp", "--pfx-profile", "rc2"], "bad-argument", /--pfx-profile 'rc2' is not a PFX profile/],
      ["a PFX without its password file", ["--leaf", "LEAF", "--out", "/tmp", "--pfx-profile", "modern"], "missing-argument", /--pfx-out-password-file FILE is required/],
      ["an unknown profile", ["--leaf", "LEAF", "--profile", "netscape"], "bad-profile", /Unknown client profile 'netscape'/],
    ])("%s", async (_label, args, code, message) => {
      const run = await bundle((args as string[]).map((a) => (a === "LEAF" ? at("leaf.pem") : a)));
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`[${code}]`);
      expect(run.stderr).toMatch(message as RegExp);
    });

    it("a key that does not match the leaf: key-mismatch, naming the leaf and no key material", async () => {
      const run = await bundle(scenario("--key", at("other.key")));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/\[key-mismatch\].*cli\.example\.test/);
      expect(run.stderr).not.toContain("PRIVATE KEY");
      expect(run.stdout).toBe("");
    });

    it("a private key given as the leaf", async () => {
      const run = await bundle(["--leaf", at("leaf.key"), "--pool", at("ca.pem")]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`[key-not-certificate]: ${at("leaf.key")}, block 1 (PRIVATE KEY)`);
    });

    it("a wrong PFX password, never echoed", async () => {
      write("wrong-pass.txt", "guess-123\n");
      const run = await bundle(["--leaf", at("site.pfx"), "--pfx-password-file", at("wrong-pass.txt"), "--anchors", at("aaa.pem")]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("[pfx-wrong-password]");
      expect(run.stderr).not.toContain("guess-123");
    });
  });
});
