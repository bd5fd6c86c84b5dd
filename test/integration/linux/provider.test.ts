// The chainsmith:linux:TlsFiles resource kind's methods called directly (no engine), against a
// real sshd and nginx: create deploys, read and diff report drift in words under the input it
// concerns, update repairs, delete restores (unless another resource owns the files now).
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linuxTlsFiles as provider, type LinuxFilesInputs, type LinuxFilesState } from "../../../providers/linux/methods";
import { probe } from "../../../probe/probe";
import { Pki, pemOf } from "../../../harness/pki";
import { startSshd, type Sshd } from "../../../harness/sshd";
import { startHaproxy, startNginx, type WebServer } from "../../../harness/webservers";
import { curlTrusting, existingTlsDir, freePort } from "./targets";
import { crossSignedSite, type CrossSignedSite } from "../../../harness/scenarios";
import { waitUntilSteady } from "../../../harness/eventually";

const KEY_PASSPHRASE = "tls-key-passphrase-9d41";

let pki: CrossSignedSite;
let sshd: Sshd;
let nginx: WebServer;
let tls: ReturnType<typeof existingTlsDir>;

beforeAll(async () => {
  pki = await crossSignedSite();
  sshd = await startSshd();
  tls = existingTlsDir(pki);
  nginx = await startNginx({ certPath: tls.fullchain, keyPath: tls.privkey, port: await freePort() });
});
afterAll(async () => {
  await nginx?.stop();
  tls?.remove();
  await sshd?.stop();
});

function inputs(): LinuxFilesInputs {
  const encryptedKey = pki.leaf.key.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: KEY_PASSPHRASE }).toString();
  return {
    connection: { host: sshd.host, port: sshd.port, user: "root", hostKeyFingerprints: [sshd.hostKeyFingerprint] },
    sshPrivateKey: sshd.clientKey,
    preset: "nginx",
    directory: tls.dir,
    configTestCommand: nginx.configTestCommand,
    reloadCommand: nginx.reloadCommand,
    chain: pki.desiredChainPem,
    privateKey: encryptedKey,
    keyPassphrase: KEY_PASSPHRASE,
    endpoints: [{ host: "127.0.0.1", port: nginx.port }],
    verifyTimeoutMs: 10_000,
  };
}

const served = async () => (await probe({ host: "127.0.0.1", port: nginx.port })).certificates.map((c) => c.sha256);

describe("the Linux files provider", () => {
  it("deploys, reports drift with its reason, repairs it, and restores the original files on delete", async () => {
    const desired = [pki.leaf, pki.intermediate, pki.newRootByOld].map((i) => i.cert.sha256);
    const checked = await provider.check(inputs());
    expect(checked.failures).toEqual([]);

    const created = await provider.create(inputs());
    const state = created.outs as LinuxFilesState;
    expect(await served()).toEqual(desired);
    expect(state.deployedFiles.map((f) => f.path)).toEqual([tls.fullchain, tls.privkey]);
    expect(state.servedChain.map((c) => c.sha256)).toEqual(desired);
    expect((await provider.read(created.id, state)).props.drift).toEqual([]);
    expect((await provider.diff(created.id, state, inputs())).changes).toEqual([]);

    // Drift: someone puts the leaf alone back in the fullchain file and reloads.
    fs.writeFileSync(tls.fullchain, pki.leaf.pem);
    await sshReload();
    await waitUntilSteady(async () => (await served()).length === 1);
    // The file is the cause: what the server sends is the served-chain check's to say.
    const drift = (await provider.read(created.id, state)).props.drift as string[];
    expect(drift).toEqual([`${tls.fullchain} changed on the host: it now holds the leaf only`]);
    // Each drift under the input it concerns, marked as drift (the engine shows it on the resource).
    const diff = await provider.diff(created.id, state, inputs());
    expect(diff.changes).toEqual([{ property: "chain", reason: drift[0], drift: true }]);
    expect(diff.replaces).toEqual([]);

    const updated = await provider.update(created.id, state, inputs());
    expect(await served()).toEqual(desired);
    expect((await curlTrusting(pki.oldRoot, nginx.port)).code).toBe(0);
    const repaired = updated.outs as LinuxFilesState;
    expect(repaired.originals).toEqual(state.originals);
    expect((await provider.diff(created.id, repaired, inputs())).changes).toEqual([]);

    // The files as deployed, the server not reloaded since they were put back: an update reloads it.
    fs.writeFileSync(tls.fullchain, pki.leaf.pem);
    await sshReload();
    await waitUntilSteady(async () => (await served()).length === 1);
    fs.writeFileSync(tls.fullchain, pki.desiredChainPem);
    expect((await provider.diff(created.id, repaired, inputs())).changes).toEqual([
      { property: "chain", reason: expect.stringMatching(/^127\.0\.0\.1:\d+ does not serve the chain its files hold: the server was not reloaded/), drift: true },
    ]);
    await provider.update(created.id, repaired, inputs());
    expect(await served()).toEqual(desired);

    // Input changes: said in words under their input; another machine replaces the resource, another
    // login user on the same machine does not; unknown inputs (preview) are said to be known later.
    expect(await provider.diff(created.id, repaired, { ...inputs(), chain: pki.shortChainPem })).toEqual({ changes: [{ property: "chain", reason: "the chain to serve changed" }], replaces: [], notes: [] });
    const moved = await provider.diff(created.id, repaired, { ...inputs(), connection: { ...inputs().connection, port: sshd.port + 1 } });
    expect(moved.replaces).toEqual(["connection"]);
    const otherUser = await provider.diff(created.id, repaired, { ...inputs(), connection: { ...inputs().connection, user: "deploy" } });
    expect(otherUser).toMatchObject({ changes: [{ property: "connection", reason: expect.stringContaining("deploy@") }], replaces: [] });
    expect((await provider.diff(created.id, repaired, { ...inputs(), chain: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).changes).toEqual([
      { property: "chain", reason: "the chain to serve is known after other resources are deployed" },
    ]);

    await provider.remove(created.id, repaired);
    expect(fs.readFileSync(tls.fullchain, "utf8")).toBe(pki.shortChainPem);
    expect(fs.existsSync(tls.fullchain + ".chainsmith.bak")).toBe(false);
    await waitUntilSteady(async () => (await served()).length === 2);

    // No TLS key or passphrase in the state; the SSH key only where it is marked secret.
    const secrets = [KEY_PASSPHRASE, ...pki.leaf.keyPem.split("\n").filter((l) => l.length > 20), ...inputs().privateKey.split("\n").filter((l) => l.length > 20)];
    for (const output of [state, repaired]) {
      const text = JSON.stringify({ ...output, sshPrivateKey: undefined });
      for (const secret of [...secrets, ...sshd.clientKey.split("\n").filter((l) => l.length > 20)]) expect(text).not.toContain(secret);
    }
  });

  it("a replacing resource owns the files: the old one's delete leaves them (rename, new login user)", async () => {
    const first = await provider.create(inputs());
    const second = await provider.create({ ...inputs(), connection: { ...inputs().connection } });
    expect(second.outs.owner).not.toBe(first.outs.owner);
    const notes = await provider.remove(first.id, first.outs);
    expect(notes.map((n) => n.message)).toEqual([expect.stringContaining(`${tls.fullchain} left in place: another chainsmith resource deploys it now`), expect.stringContaining(`${tls.privkey} left in place`)]);
    expect(fs.readFileSync(tls.fullchain, "utf8")).toBe(pki.desiredChainPem);
    expect(fs.existsSync(tls.fullchain + ".chainsmith.bak")).toBe(true);
    // The owner's delete restores what was there before chainsmith.
    await provider.remove(second.id, second.outs);
    expect(fs.readFileSync(tls.fullchain, "utf8")).toBe(pki.shortChainPem);
    expect(fs.existsSync(tls.fullchain + ".chainsmith.owner")).toBe(false);
    await waitUntilSteady(async () => (await served()).length === 2);
  });

  it("says why check refuses inputs, and scrubs secrets from errors", async () => {
    const bad = { ...inputs(), preset: "nginx" as const, files: { privkey: { mode: "0644" } }, connection: { host: "127.0.0.1", user: "root" } };
    const { failures } = await provider.check(bad);
    expect(failures).toEqual([
      { property: "files", reason: expect.stringContaining("lets every user read the privkey file") },
      { property: "connection", reason: expect.stringContaining("no host key to verify the server against") },
    ]);
    // What `pulumi up` would fail on, `pulumi preview` already does: a key of another leaf, an unreadable SSH key.
    expect((await provider.check({ ...inputs(), privateKey: pki.otherLeaf.keyPem, keyPassphrase: undefined })).failures).toEqual([
      { property: "privateKey", reason: expect.stringContaining("does not belong to the leaf") },
    ]);
    const junkSshKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nJUNK\n-----END OPENSSH PRIVATE KEY-----\n";
    expect((await provider.check({ ...inputs(), sshPrivateKey: junkSshKey })).failures).toEqual([
      { property: "sshPrivateKey", reason: expect.stringContaining("the SSH private key cannot be used") },
    ]);
    const wrongPassphrase = { ...inputs(), keyPassphrase: "not-the-passphrase-1234" };
    const error = (await provider.create(wrongPassphrase).catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.code).toBe("key-wrong-passphrase");
    expect(error.message).not.toContain("not-the-passphrase-1234");
  });
});

describe("the Linux files provider refuses bad TLS inputs before touching the host", () => {
  it("a chain that does not link, a chain out of order, a key of another leaf, an expired leaf: clear errors; files and served chain unchanged", async () => {
    const files = () => [fs.readFileSync(tls.fullchain, "utf8"), fs.readFileSync(tls.privkey, "utf8")];
    const before = files();
    // The previous test's restoring reload may leave old nginx workers answering for a moment.
    const servedBefore = [pki.leaf, pki.intermediate].map((i) => i.cert.sha256);
    await waitUntilSteady(async () => (await served()).join() === servedBefore.join());
    const rekeyed = await new Pki().intermediate("Sectigo Public Server Authentication CA DV R36", pki.newRoot); // the intermediate's name, another key
    const expired = await new Pki().leaf("shop.example.test", pki.intermediate, { notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") });
    const expiredInputs = { chain: pemOf(expired, pki.intermediate, pki.newRootByOld), privateKey: expired.keyPem, keyPassphrase: undefined };
    // `pulumi preview` already says so (check), not only `pulumi up`.
    expect((await provider.check({ ...inputs(), ...expiredInputs })).failures).toEqual([
      { property: "chain", reason: expect.stringMatching(/^The leaf shop\.example\.test \[[0-9a-f]+\] expired on 2021-01-01T00:00:00\.000Z \(checked at .*\)\. Renew it/) },
    ]);
    const cases: Array<[Partial<LinuxFilesInputs>, string, RegExp]> = [
      [{ chain: pemOf(pki.leaf, rekeyed, pki.newRootByOld) }, "chain-does-not-link", /^Position 2 of the chain, Sectigo Public Server Authentication CA DV R36 \[[0-9a-f]+\], has the name of the issuer of position 1, .* but its key did not sign it/],
      [{ chain: pemOf(pki.intermediate, pki.leaf) }, "chain-out-of-order", /^Position 2 of the chain, shop\.example\.test \[[0-9a-f]+\], did not issue position 1, .*Give the chain leaf first/],
      [{ privateKey: pki.otherLeaf.keyPem, keyPassphrase: undefined }, "key-mismatch", /shop\.example\.test/],
      [expiredInputs, "leaf-expired", /^The leaf shop\.example\.test \[[0-9a-f]+\] expired on 2021-01-01T00:00:00\.000Z .*Renew it and give the new certificate\.$/],
    ];
    for (const [override, code, message] of cases) {
      const error = (await provider.create({ ...inputs(), ...override }).catch((e: unknown) => e)) as Error & { code?: string };
      expect({ code: error.code, message: error.message }).toEqual({ code, message: expect.stringMatching(message) });
      expect(error.message).not.toContain("PRIVATE KEY");
      expect(files()).toEqual(before);
      expect(await served()).toEqual(servedBefore);
    }
  });
});

describe("the Linux files provider on the local target", () => {
  it("deploys to the machine running Pulumi and, with onDelete keep, leaves the files on delete", async () => {
    const where = fs.mkdtempSync(path.join(tls.dir, "haproxy-"));
    fs.chmodSync(where, 0o755);
    fs.writeFileSync(path.join(where, "site.pem"), pki.shortChainPem + pki.leaf.keyPem, { mode: 0o600 });
    const haproxy = await startHaproxy({ certPath: path.join(where, "site.pem"), port: await freePort() });
    try {
      const local: LinuxFilesInputs = {
        connection: { kind: "local" },
        preset: "haproxy",
        directory: where,
        configTestCommand: haproxy.configTestCommand,
        reloadCommand: haproxy.reloadCommand,
        chain: pki.desiredChainPem,
        privateKey: pki.leaf.keyPem,
        endpoints: [{ host: "127.0.0.1", port: haproxy.port }],
        onDelete: "keep",
      };
      const created = await provider.create(local);
      expect((created.outs as LinuxFilesState).target).toBe("local");
      expect((await probe({ host: "127.0.0.1", port: haproxy.port })).certificates).toHaveLength(3);
      expect((await provider.read(created.id, created.outs)).props.drift).toEqual([]);
      await provider.remove(created.id, created.outs);
      expect(fs.readFileSync(path.join(where, "site.pem"), "utf8")).toBe(pki.desiredChainPem + pki.leaf.keyPem);
    } finally {
      await haproxy.stop();
    }
  });
});

async function sshReload(): Promise<void> {
  const { SshHost } = await import("../../../providers/linux/hosts/ssh-host");
  const host = await SshHost.connect({ host: sshd.host, port: sshd.port, user: "root", privateKey: sshd.clientKey, hostKeyFingerprints: [sshd.hostKeyFingerprint] });
  try {
    expect((await host.run(nginx.reloadCommand)).code).toBe(0);
  } finally {
    host.close();
  }
}

