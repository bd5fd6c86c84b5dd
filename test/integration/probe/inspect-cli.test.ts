/**
 * `chainsmith inspect` against real TLS servers on loopback, through the command's entry
 * point (cli/main.ts), with the exit codes and the --json contract other tools rely on.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../cli/main";
import { pemOf, type Issued } from "../../../harness/pki";
import { freePort, startNodeTlsServer, type RunningServer } from "../../../harness/tls-servers";
import { crossSignedSite } from "../../../harness/scenarios";

const NAME = "inspect.probe.test";
let dir: string;
let aaa: Issued, r46: Issued, r46ByAaa: Issued, ca: Issued, leaf: Issued, rsaLeaf: Issued, otherLeaf: Issued;
let good: RunningServer, missing: RunningServer, dual: RunningServer;
const file = (name: string) => path.join(dir, name);
const PROFILES = () => ["--profile", `legacy=${file("aaa.pem")}`, "--profile", `modern=${file("r46.pem")}`];

async function inspect(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["inspect", ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

beforeAll(async () => {
  const built = await crossSignedSite(NAME);
  ({ oldRoot: aaa, newRoot: r46, newRootByOld: r46ByAaa, intermediate: ca, leaf } = built);
  const pki = built.pki;
  rsaLeaf = await pki.leaf(NAME, ca, { keyType: "rsa" });
  otherLeaf = await pki.leaf("other.inspect.test", ca);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-inspect-"));
  fs.writeFileSync(file("aaa.pem"), aaa.pem);
  fs.writeFileSync(file("r46.pem"), r46.pem);
  fs.writeFileSync(file("fullchain.pem"), pemOf(leaf, ca, r46ByAaa));
  fs.writeFileSync(file("fullchain-self-signed-r46.pem"), pemOf(leaf, ca, r46));
  good = await startNodeTlsServer({ chains: [{ certificates: [leaf, ca, r46ByAaa] }] });
  missing = await startNodeTlsServer({ chains: [{ certificates: [leaf] }] });
  dual = await startNodeTlsServer({
    chains: [{ certificates: [rsaLeaf, ca, r46ByAaa] }, { certificates: [leaf, ca, r46ByAaa] }],
    sni: { "other.inspect.test": [{ certificates: [otherLeaf, ca] }] },
  });
});

afterAll(async () => {
  await Promise.all([good, missing, dual].map((s) => s?.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("chainsmith inspect", () => {
  it("prints the served chain, findings and a verdict per profile; exit 0 when the chain is fine", async () => {
    const { code, out } = await inspect(`127.0.0.1:${good.port}`, "--servername", NAME, ...PROFILES());
    expect(code).toBe(0);
    expect(out).toContain("Served chain (wire order):");
    for (const [i, issued] of [leaf, ca, r46ByAaa].entries()) {
      expect(out).toMatch(new RegExp(`\\n  ${i}\\s+${issued.cert.subject}\\s+${issued.cert.issuer}\\s+${issued.cert.shortFingerprint}\\s+\\d{4}-\\d{2}-\\d{2} \\.\\. \\d{4}-\\d{2}-\\d{2}`));
    }
    expect(out).toMatch(/\n  legacy\s+trusted\s+-\s+trusted via/);
    expect(out).toMatch(/\n  modern\s+trusted\s+-\s+trusted via/);
    expect(out).toContain("Result: the chain is fine.");
  });

  it("--json follows the contract: served (subject, issuer, sha256), tlsVersion, findings, profiles", async () => {
    const { code, out } = await inspect(`127.0.0.1:${good.port}`, "--servername", NAME, "--tls", "1.2", "--json", ...PROFILES());
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.served.map((c: { sha256: string }) => c.sha256)).toEqual([leaf, ca, r46ByAaa].map((i) => i.cert.sha256));
    expect(report.served[0]).toMatchObject({ subject: leaf.cert.subject, issuer: leaf.cert.issuer });
    expect(report.tlsVersion).toBe("TLSv1.2");
    expect(Array.isArray(report.findings)).toBe(true);
    expect(report.profiles).toEqual([
      expect.objectContaining({ profile: "legacy", trusted: true }),
      expect.objectContaining({ profile: "modern", trusted: true }),
    ]);
    expect(report.ok).toBe(true);
  });

  it("a missing intermediate: the finding, untrusted profiles, exit 1", async () => {
    const { code, out } = await inspect(`127.0.0.1:${missing.port}`, "--servername", NAME, "--json", ...PROFILES());
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.findings.map((f: { code: string }) => f.code)).toContain("incomplete-chain");
    expect(report.profiles.every((p: { trusted: boolean }) => !p.trusted)).toBe(true);
    expect(report.ok).toBe(false);
  });

  it("--expect: exit 0 when the server sends exactly the file, 1 when it sends the self-signed R46 instead", async () => {
    const same = await inspect(`127.0.0.1:${good.port}`, "--servername", NAME, "--expect", file("fullchain.pem"), "--json", ...PROFILES());
    expect(same.code).toBe(0);
    expect(JSON.parse(same.out).matchesExpected).toBe(true);
    const other = await inspect(`127.0.0.1:${good.port}`, "--servername", NAME, "--expect", file("fullchain-self-signed-r46.pem"), ...PROFILES());
    expect(other.code).toBe(1);
    expect(other.out).toContain("wrong-certificate-same-subject");
    expect(other.out).toContain("Expected chain (--expect): NOT what is served");
  });

  it("--key-type and --servername pick the chain of a dual-certificate, multi-name server", async () => {
    const rsa = JSON.parse((await inspect(`127.0.0.1:${dual.port}`, "--servername", NAME, "--key-type", "rsa", "--json", ...PROFILES())).out);
    expect(rsa.served[0].sha256).toBe(rsaLeaf.cert.sha256);
    const ecdsa = JSON.parse((await inspect(`127.0.0.1:${dual.port}`, "--servername", NAME, "--key-type", "ecdsa", "--json", ...PROFILES())).out);
    expect(ecdsa.served[0].sha256).toBe(leaf.cert.sha256);
    const other = JSON.parse((await inspect(`127.0.0.1:${dual.port}`, "--servername", "other.inspect.test", "--json", ...PROFILES())).out);
    expect(other.served.map((c: { sha256: string }) => c.sha256)).toEqual([otherLeaf.cert.sha256, ca.cert.sha256]);
  });

  it("a connection failure exits 2 and says why (JSON too)", async () => {
    const port = await freePort();
    const { code, out, err } = await inspect(`127.0.0.1:${port}`, "--json", ...PROFILES());
    expect(code).toBe(2);
    expect(err).toMatch(/cannot read the chain \[connection-refused\]/);
    expect(JSON.parse(out).error.code).toBe("connection-refused");
  });

  it("bad input exits 2 with a message saying what to fix", async () => {
    const badTls = await inspect(`127.0.0.1:${good.port}`, "--tls", "1.1");
    expect(badTls.code).toBe(2);
    expect(badTls.err).toMatch(/--tls '1\.1' is not a version this probe offers; use 1\.2 or 1\.3/);
    const noEndpoint = await inspect("--json");
    expect(noEndpoint.code).toBe(2);
    expect(noEndpoint.err).toMatch(/give one HOST\[:PORT\], or --targets FILE/);
    const badPort = await inspect("example.test:99999");
    expect(badPort.code).toBe(2);
    expect(badPort.err).toMatch(/port '99999' .* is not a TCP port/);
    const badExpect = await inspect(`127.0.0.1:${good.port}`, "--expect", file("nope.pem"));
    expect(badExpect.code).toBe(2);
    expect(badExpect.err).toMatch(/--expect .*nope\.pem: cannot read the file \(ENOENT\)/);
  });

  it("--targets: one JSON line per endpoint; the worst outcome sets the exit code", async () => {
    const refused = await freePort();
    fs.writeFileSync(
      file("targets.txt"),
      [`# fleet`, `127.0.0.1:${good.port} ${NAME}`, "", `127.0.0.1:${missing.port} ${NAME}   # no intermediate`, `127.0.0.1:${refused}`].join("\n"),
    );
    const { code, out } = await inspect("--targets", file("targets.txt"), "--json", ...PROFILES());
    expect(code).toBe(2);
    const lines = out.trim().split("\n").map((line) => JSON.parse(line));
    const byEndpoint = Object.fromEntries(lines.map((l) => [l.endpoint, l]));
    expect(Object.keys(byEndpoint).sort()).toEqual([`127.0.0.1:${good.port} (SNI ${NAME})`, `127.0.0.1:${missing.port} (SNI ${NAME})`, `127.0.0.1:${refused}`].sort());
    expect(byEndpoint[`127.0.0.1:${good.port} (SNI ${NAME})`].ok).toBe(true);
    expect(byEndpoint[`127.0.0.1:${missing.port} (SNI ${NAME})`].ok).toBe(false);
    expect(byEndpoint[`127.0.0.1:${refused}`].error.code).toBe("connection-refused");

    const human = await inspect("--targets", file("targets.txt"), ...PROFILES());
    expect(human.code).toBe(2);
    expect(human.out).toContain("3 endpoints: 1 fine, 1 with problems, 1 unreadable");
    expect(human.err).toBe("");
  });

  it("--targets: a bad line is named by file and line", async () => {
    fs.writeFileSync(file("bad-targets.txt"), `127.0.0.1:${good.port}\nhttps://example.test/\n`);
    const { code, err } = await inspect("--targets", file("bad-targets.txt"));
    expect(code).toBe(2);
    expect(err).toMatch(/bad-targets\.txt line 2: 'https:\/\/example\.test\/' is not \[PROTOCOL:\/\/\]HOST\[:PORT\]/);
  });
});
