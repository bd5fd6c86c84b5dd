// The deploy flow against a real sshd and a real nginx on loopback, root login.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDesiredState } from "../../../providers/linux/desired-state";
import { deploy, BACKUP_SUFFIX } from "../../../providers/linux/deploy";
import { LinuxDeployError } from "../../../providers/linux/errors";
import { planFiles } from "../../../providers/linux/presets";
import { SshHost } from "../../../providers/linux/hosts/ssh-host";
import { probe } from "../../../probe/probe";
import { startSshd, SUDO_USER, type Sshd } from "../../../harness/sshd";
import { startNginx, type WebServer } from "../../../harness/webservers";
import { curlTrusting, existingTlsDir, freePort } from "./targets";
import { servedDifference } from "../../support/served-difference";
import { crossSignedSite, type CrossSignedSite } from "../../../harness/scenarios";

let pki: CrossSignedSite;
let sshd: Sshd;

beforeAll(async () => {
  pki = await crossSignedSite();
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

async function nginxWithShortChain() {
  const tls = existingTlsDir(pki);
  const nginx = await startNginx({ certPath: tls.fullchain, keyPath: tls.privkey, port: await freePort() });
  const plan = planFiles({ preset: "nginx", directory: tls.dir, configTestCommand: nginx.configTestCommand, reloadCommand: nginx.reloadCommand });
  return { tls, nginx, plan, endpoints: [{ host: "127.0.0.1", port: nginx.port }], stop: async () => (await nginx.stop(), tls.remove()) };
}

const rootLogin = () => SshHost.connect({ host: sshd.host, port: sshd.port, user: "root", privateKey: sshd.clientKey, hostKeyFingerprints: [sshd.hostKeyFingerprint] });
const servedFingerprints = async (server: WebServer) => (await probe({ host: "127.0.0.1", port: server.port })).certificates.map((c) => c.sha256);

/** The previous files are back and nginx serves what it served before. */
async function expectAsBefore(target: Awaited<ReturnType<typeof nginxWithShortChain>>, oldServed: string[]): Promise<void> {
  expect(fs.readFileSync(target.tls.fullchain, "utf8")).toBe(pki.shortChainPem);
  expect(fs.readFileSync(target.tls.privkey, "utf8")).toBe(pki.leaf.keyPem);
  expect(await servedFingerprints(target.nginx)).toEqual(oldServed);
}

describe("deploying to nginx over SSH", () => {
  it("installs the cross-signed chain: nginx serves exactly it and a legacy client that failed now succeeds", async () => {
    const target = await nginxWithShortChain();
    const host = await rootLogin();
    try {
      const before = await curlTrusting(pki.oldRoot, target.nginx.port);
      expect(before.code, "the legacy client must fail against the short chain").not.toBe(0);
      expect(before.stderr).toMatch(/local issuer|unable to get/i);

      const desired = buildDesiredState({ chainPem: pki.desiredChainPem, privateKeyPem: pki.leaf.keyPem }, target.plan);
      const result = await deploy(host, desired, target.plan, { endpoints: target.endpoints, verifyTimeoutMs: 10_000, owner: "test" });

      const expected = [pki.leaf, pki.intermediate, pki.newRootByOld].map((i) => i.cert.sha256);
      expect(await servedFingerprints(target.nginx)).toEqual(expected);
      expect(result.served[0].served?.map((c) => c.sha256)).toEqual(expected);
      const after = await curlTrusting(pki.oldRoot, target.nginx.port);
      expect(after.code, after.stderr).toBe(0);
      expect((await curlTrusting(pki.newRoot, target.nginx.port)).code).toBe(0);

      expect(fs.readFileSync(target.tls.fullchain, "utf8")).toBe(pki.desiredChainPem);
      expect(fs.statSync(target.tls.fullchain).mode & 0o777).toBe(0o644);
      expect(fs.statSync(target.tls.privkey).mode & 0o777).toBe(0o600);
      // The files found there first are kept once, for delete to restore.
      expect(fs.readFileSync(target.tls.fullchain + BACKUP_SUFFIX, "utf8")).toBe(pki.shortChainPem);
      expect(result.originals).toEqual({ [target.tls.fullchain]: "backup", [target.tls.privkey]: "backup" });
      expect(fs.readdirSync(target.tls.dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    } finally {
      host.close();
      await target.stop();
    }
  });

  it("puts the previous files back and keeps serving the old chain when the config test fails", async () => {
    const target = await nginxWithShortChain();
    const host = await rootLogin();
    try {
      const oldServed = await servedFingerprints(target.nginx);
      // Someone else's typo in the server configuration, made after nginx started.
      const configFile = /-c (\S+)/.exec(target.nginx.configTestCommand)![1];
      fs.appendFileSync(configFile, "\nbogus_directive on;\n");
      const desired = buildDesiredState({ chainPem: pki.desiredChainPem, privateKeyPem: pki.leaf.keyPem }, target.plan);
      const error = await deploy(host, desired, target.plan, { endpoints: target.endpoints, verifyTimeoutMs: 5000, owner: "test" }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(LinuxDeployError);
      const failure = error as LinuxDeployError;
      expect(failure.step).toBe("config-test");
      expect(failure.command).toBe(target.nginx.configTestCommand);
      expect(failure.message).toContain('unknown directive "bogus_directive"');
      expect(failure.message).toContain("The previous files are back in place");
      expect(failure.message).not.toContain("PRIVATE KEY");
      await expectAsBefore(target, oldServed);
    } finally {
      host.close();
      await target.stop();
    }
  });

  it("deploys as a non-root user through passwordless sudo, leaving root-owned files", async () => {
    const target = await nginxWithShortChain();
    const host = await SshHost.connect({ host: sshd.host, port: sshd.port, user: SUDO_USER, privateKey: sshd.clientKey, knownHosts: sshd.knownHostsLine, sudo: true });
    try {
      const plan = planFiles({ preset: "nginx", directory: target.tls.dir, files: { privkey: { owner: "root", group: "root" } }, configTestCommand: target.nginx.configTestCommand, reloadCommand: target.nginx.reloadCommand });
      const desired = buildDesiredState({ chainPem: pki.desiredChainPem, privateKeyPem: pki.leaf.keyPem }, plan);
      await deploy(host, desired, plan, { endpoints: target.endpoints, verifyTimeoutMs: 10_000, owner: "test" });
      expect(await servedFingerprints(target.nginx)).toEqual([pki.leaf, pki.intermediate, pki.newRootByOld].map((i) => i.cert.sha256));
      const key = fs.statSync(target.tls.privkey);
      expect([key.mode & 0o777, key.uid, key.gid]).toEqual([0o640, 0, 0]);
    } finally {
      host.close();
      await target.stop();
    }
  });

  it("never shows the private key in an error, even when a failing command prints it as PEM, base64 DER or hex", async () => {
    const target = await nginxWithShortChain();
    const host = await rootLogin();
    try {
      // A careless config test that dumps the key file it checks in every encoding, then fails.
      const key = target.tls.privkey;
      const der = `openssl pkey -in ${key} -outform DER`;
      const dumps = [`cat ${key}`, `cat ${key} | tail -n +2 | head -n 2 | tr -d '\\n'`, `${der} | base64 -w 0`, `${der} | od -An -tx1`, `${der} | basenc --base16`, `openssl pkey -in ${key} -text -noout`];
      const plan = { ...target.plan, configTest: `${dumps.map((d) => `${d} >&2; echo >&2`).join("; ")}; echo 'check failed' >&2; exit 1` };
      const desired = buildDesiredState({ chainPem: pki.desiredChainPem, privateKeyPem: pki.leaf.keyPem }, plan);
      const error = (await deploy(host, desired, plan, { endpoints: target.endpoints, verifyTimeoutMs: 5000, owner: "test" }).catch((e: unknown) => e)) as LinuxDeployError;
      expect(error).toBeInstanceOf(LinuxDeployError);
      expect(error.step).toBe("config-test");
      expect(error.message).toContain("[redacted private key]");
      expect(error.message).toContain("check failed");
      // The DER as base64; the private scalar as hex and base64 (the public point may show: `-text` prints it apart).
      const keyDer = pki.leaf.key.privateKey.export({ type: "pkcs8", format: "der" });
      const scalar = Buffer.from((pki.leaf.key.privateKey.export({ format: "jwk" }) as { d: string }).d, "base64url");
      const forms = [keyDer.toString("base64"), scalar.toString("hex"), scalar.toString("hex").toUpperCase(), scalar.toString("base64")];
      for (const text of [error.message, error.stderr ?? "", String(error.stack)]) {
        for (const line of pki.leaf.keyPem.split("\n").filter((l) => l.length > 20)) expect(text).not.toContain(line);
        // No 16 characters of those encodings are left, with the dumps' spaces, colons and line breaks taken out.
        const squeezed = text.replace(/[\s:]/g, "");
        for (const form of forms) for (let i = 0; i + 16 <= form.length; i += 16) expect(squeezed).not.toContain(form.slice(i, i + 16));
      }
      expect(fs.readFileSync(target.tls.privkey, "utf8")).toBe(pki.leaf.keyPem);
    } finally {
      host.close();
      await target.stop();
    }
  });

  it("puts the previous files back and reloads with them when the reload command fails", async () => {
    const target = await nginxWithShortChain();
    const host = await rootLogin();
    try {
      const oldServed = await servedFingerprints(target.nginx);
      // The first reload fails (a unit that refuses, say); the one that restores the previous files works.
      const flag = `${target.tls.dir}/reload-refused-once`;
      const reload = `if [ -e ${flag} ]; then ${target.nginx.reloadCommand}; else touch ${flag}; echo 'reload refused by the unit' >&2; exit 3; fi`;
      const plan = { ...target.plan, reload };
      const desired = buildDesiredState({ chainPem: pki.desiredChainPem, privateKeyPem: pki.leaf.keyPem }, plan);
      const error = (await deploy(host, desired, plan, { endpoints: target.endpoints, verifyTimeoutMs: 5000, owner: "test" }).catch((e: unknown) => e)) as LinuxDeployError;
      expect(error).toBeInstanceOf(LinuxDeployError);
      expect(error.step).toBe("reload");
      expect(error.command).toBe(reload);
      expect(error.message).toContain(`the reload "${reload}" failed (exit 3): reload refused by the unit. The previous files are back in place and the server was reloaded with them.`);
      expect(error.message).not.toContain("PRIVATE KEY");
      await expectAsBefore(target, oldServed);
    } finally {
      host.close();
      await target.stop();
    }
  });

  it("rolls back when the reload leaves nginx serving something else than the desired chain", async () => {
    const target = await nginxWithShortChain();
    const host = await rootLogin();
    try {
      // A reload command that exits 0 but reloads nothing: only the served-chain check can tell.
      const plan = { ...target.plan, reload: "true" };
      const desired = buildDesiredState({ chainPem: pki.desiredChainPem, privateKeyPem: pki.leaf.keyPem }, plan);
      const error = (await deploy(host, desired, plan, { endpoints: target.endpoints, verifyTimeoutMs: 1500, owner: "test" }).catch((e: unknown) => e)) as LinuxDeployError;
      expect(error).toBeInstanceOf(LinuxDeployError);
      expect(error.step).toBe("verify");
      expect(error.message).toContain(servedDifference([pki.leaf, pki.intermediate, pki.newRootByOld], [pki.leaf, pki.intermediate]));
      expect(fs.readFileSync(target.tls.fullchain, "utf8")).toBe(pki.shortChainPem);
    } finally {
      host.close();
      await target.stop();
    }
  });
});
