import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pki, type Issued } from "../../../harness/pki";
import { renderFiles } from "../../../chain/render";
import { parseCertificates } from "../../../chain/parse";

let root: Issued;
let r46: Issued;
let r46ByRoot: Issued;
let ca: Issued;
let leaf: Issued;
let rekeyedCa: Issued;

function openssl(args: string[], input?: string): { status: number | null; out: string } {
  const run = spawnSync("openssl", args, { input, encoding: "utf8" });
  return { status: run.status, out: run.stdout + run.stderr };
}

beforeAll(async () => {
  const pki = new Pki();
  root = await pki.root("AAA Certificate Services", { keyType: "rsa" });
  r46 = await pki.root("Sectigo Public Server Authentication Root R46");
  r46ByRoot = await pki.crossSign(r46, root);
  ca = await pki.intermediate("Sectigo Public Server Authentication CA DV R36", r46);
  leaf = await pki.leaf("render.example.test", ca);
  rekeyedCa = await pki.intermediate("Sectigo Public Server Authentication CA DV R36", r46); // same name, new key
});

describe("renderFiles", () => {
  it("writes certbot's files and HAProxy's combined PEM that openssl verifies against the old root", () => {
    const files = renderFiles([leaf.cert, ca.cert, r46ByRoot.cert], leaf.key.privateKey);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-render-"));
    try {
      for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content!);
      fs.writeFileSync(path.join(dir, "root.pem"), root.pem);
      const at = (name: string) => path.join(dir, name);
      expect(parseCertificates(files["fullchain.pem"], "fullchain.pem").map((c) => c.sha256)).toEqual([leaf.cert.sha256, ca.cert.sha256, r46ByRoot.cert.sha256]);
      expect(parseCertificates(files["chain.pem"], "chain.pem").map((c) => c.sha256)).toEqual([ca.cert.sha256, r46ByRoot.cert.sha256]);
      expect(files["cert.pem"]).toBe(leaf.pem);
      expect(files["privkey.pem"]).toContain("-----BEGIN PRIVATE KEY-----");
      expect(files["haproxy.pem"]).toBe(files["fullchain.pem"] + files["privkey.pem"]);

      const verify = openssl(["verify", "-CAfile", at("root.pem"), "-untrusted", at("chain.pem"), at("cert.pem")]);
      expect(verify.out).toContain(": OK");
      expect(verify.status).toBe(0);
      const leafModulus = openssl(["x509", "-in", at("cert.pem"), "-noout", "-pubkey"]).out;
      const keyPublic = openssl(["pkey", "-in", at("privkey.pem"), "-pubout"]).out;
      expect(keyPublic).toBe(leafModulus);
      const combinedKey = openssl(["pkey", "-in", at("haproxy.pem"), "-pubout"]).out;
      expect(combinedKey).toBe(leafModulus);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("renders without a key: no privkey.pem, no haproxy.pem", () => {
    const files = renderFiles([leaf.cert, ca.cert]);
    expect(Object.keys(files).sort()).toEqual(["cert.pem", "chain.pem", "fullchain.pem"]);
  });

  it("renders a leaf signed by the anchor itself with an empty chain.pem", async () => {
    const direct = await new Pki().leaf("direct.example.test", r46);
    expect(renderFiles([direct.cert])["chain.pem"]).toBe("");
  });

  it("never serves a self-signed anchor", () => {
    expect(() => renderFiles([leaf.cert, ca.cert, r46.cert])).toThrow(
      expect.objectContaining({ code: "anchor-in-chain", message: expect.stringMatching(/Position 3 .*Sectigo Public Server Authentication Root R46.*self-signed root/) }),
    );
  });

  it("refuses a chain out of order", () => {
    expect(() => renderFiles([leaf.cert, r46ByRoot.cert, ca.cert])).toThrow(expect.objectContaining({ code: "chain-out-of-order" }));
  });

  it("refuses an intermediate with the right name whose key did not sign the certificate below it", () => {
    expect(rekeyedCa.cert.subject).toBe(ca.cert.subject);
    expect(() => renderFiles([leaf.cert, rekeyedCa.cert])).toThrow(
      expect.objectContaining({
        code: "chain-does-not-link",
        message:
          `Position 2 of the chain, ${rekeyedCa.cert.label}, has the name of the issuer of position 1, ${leaf.cert.label}, but its key did not sign it ` +
          `(another generation of that CA?). Give the intermediate that issued position 1; 'chainsmith bundle' picks it from a pool.`,
      }),
    );
    expect(renderFiles([leaf.cert, ca.cert])["fullchain.pem"]).toBe(leaf.pem + ca.pem);
  });

  it("refuses a key that does not belong to the leaf", () => {
    expect(() => renderFiles([leaf.cert, ca.cert], ca.key.privateKey)).toThrow(
      expect.objectContaining({ code: "key-mismatch", message: expect.stringContaining("render.example.test") }),
    );
  });

  it("refuses an empty chain", () => {
    expect(() => renderFiles([])).toThrow(expect.objectContaining({ code: "empty-chain" }));
  });
});
