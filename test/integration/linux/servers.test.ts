// The deploy flow on the local target (no SSH) against real Apache and HAProxy in each file
// layout their presets write: the server ends up sending exactly the desired chain.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pemOf } from "../../fixtures/pki";
import { buildDesiredState } from "../../../providers/linux/desired-state";
import { deploy } from "../../../providers/linux/deploy";
import { planFiles, type PresetOptions } from "../../../providers/linux/presets";
import { LocalHost } from "../../../providers/local/local-host";
import { probe } from "../../../probe/probe";
import { assertInstalled, startApache, startHaproxy, type TlsFiles, type WebServer } from "../../support/webservers";
import { crossSignedPki, curlTrusting, freePort, type CrossSignedPki } from "./targets";

let pki: CrossSignedPki;
let dir: string;
beforeAll(async () => {
  pki = await crossSignedPki();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-servers-"));
  fs.chmodSync(dir, 0o755);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes the pre-deployment files (short chain) into a fresh directory. */
function existing(name: string, files: Record<string, string>): string {
  const where = path.join(dir, name);
  fs.mkdirSync(where, { mode: 0o755 });
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(where, file), content, { mode: /key|haproxy|site/.test(file) ? 0o600 : 0o644 });
  return where;
}

async function deployAndCheck(server: WebServer, options: PresetOptions): Promise<void> {
  try {
    expect((await curlTrusting(pki.oldRoot, server.port)).code, "legacy client before the deployment").not.toBe(0);
    const plan = planFiles({ ...options, configTestCommand: server.configTestCommand, reloadCommand: server.reloadCommand });
    const desired = buildDesiredState({ chainPem: pki.desiredChainPem, privateKeyPem: pki.leaf.keyPem }, plan);
    await deploy(new LocalHost(), desired, plan, { endpoints: [{ host: "127.0.0.1", port: server.port }], verifyTimeoutMs: 15_000, owner: "test" });
    const served = (await probe({ host: "127.0.0.1", port: server.port })).certificates.map((c) => c.sha256);
    expect(served).toEqual([pki.leaf, pki.intermediate, pki.newRootByOld].map((i) => i.cert.sha256));
    const after = await curlTrusting(pki.oldRoot, server.port);
    expect(after.code, after.stderr).toBe(0);
  } finally {
    await server.stop();
  }
}

const start = async (starter: (files: TlsFiles) => Promise<WebServer>, files: Omit<TlsFiles, "port">) => starter({ ...files, port: await freePort() });

describe("real servers on the local target", () => {
  it("Apache >= 2.4.8 (fullchain in SSLCertificateFile)", async () => {
    assertInstalled("apache2");
    const where = existing("apache", { "fullchain.pem": pki.shortChainPem, "privkey.pem": pki.leaf.keyPem });
    const server = await start(startApache, { certPath: `${where}/fullchain.pem`, keyPath: `${where}/privkey.pem` });
    await deployAndCheck(server, { preset: "apache", directory: where });
  });

  it("Apache legacy (leaf in SSLCertificateFile, intermediates in SSLCertificateChainFile)", async () => {
    assertInstalled("apache2");
    const where = existing("apache-legacy", { "cert.pem": pki.leaf.pem, "chain.pem": pemOf(pki.intermediate), "privkey.pem": pki.leaf.keyPem });
    const server = await start(startApache, { certPath: `${where}/cert.pem`, chainPath: `${where}/chain.pem`, keyPath: `${where}/privkey.pem` });
    await deployAndCheck(server, { preset: "apache-legacy", directory: where });
    expect(fs.readFileSync(`${where}/chain.pem`, "utf8")).toBe(pemOf(pki.intermediate, pki.newRootByOld));
  });

  it("HAProxy with one combined PEM (chain then key)", async () => {
    assertInstalled("haproxy");
    const where = existing("haproxy", { "site.pem": pki.shortChainPem + pki.leaf.keyPem });
    const server = await start(startHaproxy, { certPath: `${where}/site.pem` });
    await deployAndCheck(server, { preset: "haproxy", directory: where });
    expect(fs.statSync(`${where}/site.pem`).mode & 0o777).toBe(0o600);
  });

  it("HAProxy with site.pem and site.pem.key", async () => {
    assertInstalled("haproxy");
    const where = existing("haproxy-split", { "site.pem": pki.shortChainPem, "site.pem.key": pki.leaf.keyPem });
    const server = await start(startHaproxy, { certPath: `${where}/site.pem` });
    await deployAndCheck(server, { preset: "haproxy", haproxySeparateKey: true, directory: where });
    expect(fs.readFileSync(`${where}/site.pem`, "utf8")).toBe(pki.desiredChainPem);
  });
});
