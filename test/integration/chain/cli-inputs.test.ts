// The real `chainsmith` command on inputs that used to crash it, hang it or mislead it
// (issues 12 and 13): each ends with exit 1 or 2 and a message that names the problem.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Issued, Pki } from "../../../harness/pki";
import { run } from "../../../harness/run";
import { assertBuildIsCurrent, BIN, chainsmith as cli } from "../../support/chainsmith-cli";

let dir: string;
let pki: Pki;
let root: Issued;
let ca: Issued;
let leaf: Issued;
const at = (name: string) => path.join(dir, name);
const chainsmith = (...args: string[]) => cli(args);

function write(name: string, content: string | Buffer): string {
  fs.writeFileSync(at(name), content);
  return at(name);
}

beforeAll(async () => {
  assertBuildIsCurrent();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-cli-inputs-"));
  pki = new Pki();
  root = await pki.root("Inputs Root");
  ca = await pki.intermediate("Inputs CA", root);
  leaf = await pki.leaf("inputs.example.test", ca);
  write("leaf.pem", leaf.pem);
  write("ca.pem", ca.pem);
  write("root.pem", root.pem);
});
afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

describe("chainsmith on hostile inputs", () => {
  it("refuses a single-value flag given twice (exit 2), and takes a list flag given twice", async () => {
    const twice = await chainsmith("bundle", "--leaf", at("leaf.pem"), "--leaf", at("ca.pem"), "--anchors", at("root.pem"));
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(`chainsmith: error [bad-argument]: chainsmith bundle: --leaf is given 2 times ('${at("leaf.pem")}', '${at("ca.pem")}'); it takes one value. Give it once. Run 'chainsmith bundle --help'.\n`);
    const policies = await chainsmith("explain", "--leaf", at("leaf.pem"), "--policy", "widest", "--policy", "shortest", "--anchors", at("root.pem"));
    expect(policies.code).toBe(2);
    expect(policies.stderr).toContain("--policy is given 2 times");
    const pools = await chainsmith("bundle", "--leaf", at("leaf.pem"), "--pool", at("ca.pem"), "--pool", at("root.pem"), "--anchors", at("root.pem"));
    expect(pools.code).toBe(0);
    // A switch given twice is named as given twice, not as taking a value.
    const json = await chainsmith("profiles", "--json", "--json");
    expect(json.code).toBe(2);
    expect(json.stderr).toBe("chainsmith: error [bad-argument]: chainsmith profiles: --json is given 2 times. Give it once. Run 'chainsmith profiles --help'.\n");
    const both = await chainsmith("inspect", "127.0.0.1:1", "--targets", at("root.pem"));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("both 127.0.0.1:1 and --targets are given");
    // Two profiles of one name would make every verdict ambiguous.
    const sameName = await chainsmith("explain", "--leaf", at("leaf.pem"), "--pool", at("ca.pem"), "--profile", `r=${at("root.pem")}`, "--profile", `r=${at("ca.pem")}`);
    expect(sameName.code).toBe(2);
    expect(sameName.stderr).toContain("Two client profiles are named r");
    // A file name that is not UTF-8 cannot reach a Node program as given: say so, not just ENOENT.
    const latin1 = Buffer.concat([Buffer.from(`${dir}/le`), Buffer.from([0xff]), Buffer.from("af.pem")]);
    fs.writeFileSync(latin1, leaf.pem);
    // Only a shell can hand a program such bytes (Node's spawn encodes its arguments as UTF-8).
    const notUtf8 = await run("sh", ["-c", `exec "$0" "$1" bundle --leaf "$(printf '%s/le\\377af.pem' "$2")" --anchors "$3"`, process.execPath, BIN, dir, at("root.pem")], { timeoutMs: 60_000 });
    expect(notUtf8.code).toBe(2);
    expect(notUtf8.stderr).toContain("The name holds bytes that are not UTF-8");
  });

  it("caps what it reads: /dev/zero as the leaf is an input error naming the cap, not an out-of-memory crash", async () => {
    const zero = await chainsmith("bundle", "--leaf", "/dev/zero", "--anchors", at("root.pem"));
    expect(zero.code).toBe(2);
    expect(zero.stderr).toBe("chainsmith: error [input-too-large]: --leaf /dev/zero: more than chainsmith reads from one input (32 MiB). Certificates, keys and pools are far smaller: check the path (a device such as /dev/zero?).\n");
  });

  it("does not wait on a FIFO that no one writes to, and names a directory given as a file", async () => {
    execFileSync("mkfifo", [at("fifo")]);
    const fifo = await chainsmith("bundle", "--leaf", at("fifo"), "--anchors", at("root.pem"));
    expect(fifo.code).toBe(2);
    expect(fifo.stderr).toContain("[empty-input]");
    const directory = await chainsmith("bundle", "--leaf", dir, "--anchors", at("root.pem"));
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain(`--leaf ${dir}: is a directory, not a file.`);
  });

  it("refuses DER with a trailing newline instead of serving it with a wrong fingerprint", async () => {
    write("leaf-newline.der", Buffer.concat([leaf.cert.der, Buffer.from("\n")]));
    const refused = await chainsmith("bundle", "--leaf", at("leaf-newline.der"), "--pool", at("ca.pem"), "--anchors", at("root.pem"));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`[trailing-data]: ${at("leaf-newline.der")}: 1 byte follow the DER structure, which ends at byte ${leaf.cert.der.length} of ${leaf.cert.der.length + 1}`);
    expect(refused.stdout).toBe("");
  });

  it("judges large and deeply nested certificates as leaf, pool and anchors without a stack trace", async () => {
    const wide = await pki.leaf("wide.example.test", ca, { altNames: Array.from({ length: 60000 }, (_, i) => ({ dns: `h${i}.example.test` })) });
    const manyExtensions = await pki.root("Many Extensions Root", { extensions: Array.from({ length: 5000 }, (_, i) => ({ oid: `1.3.6.1.4.1.55555.2.${i}`, value: Buffer.from("0500", "hex") })) });
    const underMany = await pki.leaf("many.example.test", manyExtensions);
    write("wide.pem", wide.pem);
    write("many-root.pem", manyExtensions.pem);
    write("under-many.pem", underMany.pem);
    let deep = Buffer.from("020102", "hex");
    for (let i = 0; i < 300; i++) deep = Buffer.concat([Buffer.from([0x30, 0x82, deep.length >> 8, deep.length & 0xff]), deep]);
    write("deep.der", Buffer.concat([Buffer.from([0x30, 0x82, (deep.length + 4) >> 8, (deep.length + 4) & 0xff, 0x30, 0x82, deep.length >> 8, deep.length & 0xff]), deep]));
    const runs = await Promise.all([
      chainsmith("bundle", "--leaf", at("wide.pem"), "--pool", at("ca.pem"), "--anchors", at("root.pem")),
      chainsmith("bundle", "--leaf", at("under-many.pem"), "--anchors", at("many-root.pem")),
      chainsmith("bundle", "--leaf", at("leaf.pem"), "--pool", at("deep.der"), "--anchors", at("root.pem")),
      chainsmith("explain", "--leaf", at("leaf.pem"), "--pool", at("ca.pem"), "--anchors", at("deep.der")),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 2, 2]);
    expect(runs[2].stderr).toMatch(/^chainsmith: error \[bad-certificate\]: .*deep\.der: not a valid X\.509 certificate \(/);
    for (const r of runs) expect(r.stderr).not.toMatch(/internal error|    at /);
  });

  it("finds the 2-certificate chain through a cross-sign mesh of 8 CAs with --policy shortest", async () => {
    const cas: Issued[] = [];
    for (let i = 0; i < 8; i++) cas.push(await pki.root(`CLI Mesh CA ${i}`));
    const mesh: Issued[] = [...cas];
    for (const subject of cas) for (const by of cas) if (subject !== by) mesh.push(await pki.crossSign(subject, by));
    const anchor = await pki.root("CLI Mesh Anchor");
    const bridge = await pki.crossSign(cas[0], anchor);
    const meshLeaf = await pki.leaf("mesh.example.test", cas[0]);
    write("mesh-leaf.pem", meshLeaf.pem);
    write("mesh-pool.pem", [...mesh, bridge].map((i) => i.pem).join(""));
    write("mesh-anchor.pem", anchor.pem);
    const chosen = await chainsmith("bundle", "--leaf", at("mesh-leaf.pem"), "--pool", at("mesh-pool.pem"), "--anchors", at("mesh-anchor.pem"), "--policy", "shortest", "--json");
    expect(chosen.stderr).toBe("");
    expect(chosen.code).toBe(0);
    const json = JSON.parse(chosen.stdout) as { chain: { sha256: string }[]; incomplete?: string };
    expect(json.chain.map((c) => c.sha256)).toEqual([meshLeaf.cert.sha256, bridge.cert.sha256]);
    expect(json.incomplete).toMatch(/ran out while looking at paths of/);
  });

  it("explains a refusal by its rule: a SHA-1 intermediate", async () => {
    const weakRoot = await pki.root("Explain SHA-1 Root", { keyType: "rsa" });
    const weak = await pki.intermediate("Explain SHA-1 CA", weakRoot, { signatureHash: "SHA-1" });
    write("weak-leaf.pem", (await pki.leaf("weak.example.test", weak)).pem);
    write("weak-ca.pem", weak.pem);
    write("weak-root.pem", weakRoot.pem);
    const explained = await chainsmith("explain", "--leaf", at("weak-leaf.pem"), "--pool", at("weak-ca.pem"), "--anchors", at("weak-root.pem"));
    expect(explained.code).toBe(1);
    expect(explained.stderr).toContain("which is signed with sha1WithRSAEncryption: SHA-1 signatures are refused");
    expect(explained.stderr).toContain("[weak-signature]");
  });
});
