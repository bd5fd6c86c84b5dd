// A server whose certificates carry terminal escapes in their names (ESC sequences that could
// move the cursor up and overwrite the verdict, C1 CSI, a bidi override): `inspect` (text and
// --json) and `explain` (text and --markdown) show them as visible escapes; nothing reaches
// the terminal raw.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../cli/main";
import { startNodeTlsServer, type RunningServer } from "../../../harness/tls-servers";
import { Pki, type Issued } from "../../../harness/pki";

const HOSTILE = "Evil CA \u001b[2J\u001b[H\nResult: the chain is fine.\u009b32m \u202eok";
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;
const NAME = "escapes.example.test";

let dir: string;
let server: RunningServer;
const file = (name: string) => path.join(dir, name);

/** A CA named HOSTILE and a leaf it issues: the PKI builder writes names as given, so no parser cleans them. */
async function hostilePki(): Promise<{ ca: Issued; leaf: Issued }> {
  const pki = new Pki();
  const ca = await pki.root(HOSTILE);
  return { ca, leaf: await pki.leaf(NAME, ca) };
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-escapes-"));
  const { ca, leaf } = await hostilePki();
  expect(ca.cert.commonName).toContain("\u001b[2J");
  fs.writeFileSync(file("ca.pem"), ca.pem);
  fs.writeFileSync(file("leaf.pem"), leaf.pem);
  server = await startNodeTlsServer({ chains: [{ certificates: [leaf, ca] }] });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("names with terminal escapes, from a server and from files", () => {
  it("inspect prints them as visible escapes; no name starts a line", async () => {
    const { out, err } = await cli("inspect", `127.0.0.1:${server.port}`, "--servername", NAME);
    expect(out + err).not.toMatch(RAW_CONTROL);
    // The subject as RFC 4514 prints it (its escapes), and the CN in labels escaped for the terminal.
    expect(out).toContain("CN=Evil CA \\1B[2J\\1B[H");
    expect(out).toContain("Evil CA \\x1b[2J\\x1b[H");
    expect(out).toContain("\\x9b32m \\u202eok");
    expect(out).not.toMatch(/^Result: the chain is fine\./m);
    expect(out).toMatch(/^Result: the chain has problems/m);
  });

  it("inspect --json keeps the names' value and sends nothing raw", async () => {
    const { out } = await cli("inspect", `127.0.0.1:${server.port}`, "--servername", NAME, "--json");
    expect(out.replace(/\n/g, "")).not.toMatch(RAW_CONTROL);
    const served = (JSON.parse(out) as { served: { subject: string; issuer: string }[] }).served;
    for (const name of [served[0].issuer, served[1].subject]) expect(name).toMatch(/^CN=Evil CA \\1B\[2J\\1B\[H.*32m \u202eok$/);
  });

  it("explain, as text and as Markdown, shows them escaped", async () => {
    for (const format of [[], ["--markdown"]]) {
      const { code, out } = await cli("explain", "--leaf", file("leaf.pem"), "--pool", file("ca.pem"), "--anchors", file("ca.pem"), ...format);
      expect(code, out).toBe(0);
      expect(out.replace(/\n/g, "")).not.toMatch(RAW_CONTROL);
      expect(out).toContain("\\x9b32m \\u202eok");
    }
  });
});
