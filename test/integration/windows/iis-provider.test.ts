// The chainsmith:windows:IisCertificate resource kind's methods called directly (no engine),
// against the simulated Windows host over SSH: create deploys, Windows Update brings
// the self-signed root back, read and diff say so in words, update repairs it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { iisCertificate as iisTargetProvider, type IisTargetInputs, type IisTargetState } from "../../../providers/windows/methods";
import { probe } from "../../../probe/probe";
import { Pki, pemOf } from "../../../harness/pki";
import { sectigo } from "../../../harness/scenarios";
import { Sectigo, desiredRsa, sectigoSiteHost } from "../../support/simulated-windows-host/field-hosts";
import { SimulatedHostSession, openSimulatedHost } from "../../support/simulated-windows-host/simulated-host-session";
import { bundledStoreFile, findBundledStore } from "../../../chain/bundled-stores";

const KEY_PASSPHRASE = "iis-key-passphrase-51c8";
// The Microsoft root program, as bundled with chainsmith (chain/trust-stores/).
const MICROSOFT_PROGRAM = bundledStoreFile(findBundledStore("windows")!);
let s: Sectigo;
let session: SimulatedHostSession;

beforeAll(async () => {
  // Made around now: the provider refuses an expired leaf.
  s = await sectigo(new Pki());
  const host = await sectigoSiteHost(s);
  session = await openSimulatedHost(host);
});
afterAll(async () => {
  await session?.close();
});

function inputs(): IisTargetInputs {
  return {
    connection: { host: session.sshOptions.host, port: session.sshOptions.port, user: session.sshOptions.user, hostKeyFingerprints: session.sshOptions.hostKeyFingerprints },
    sshPrivateKey: session.sshOptions.privateKey,
    chain: pemOf(s.leaf, s.r36, s.r46ByUsertrust),
    privateKey: s.leaf.key.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: KEY_PASSPHRASE }).toString(),
    keyPassphrase: KEY_PASSPHRASE,
    binding: { site: "Default Web Site", port: 443, host: "example.test" },
    knownCertificates: s.r46.pem,
    programRootsFile: MICROSOFT_PROGRAM,
    endpoint: { host: "127.0.0.1", port: session.iis.port, servername: "example.test" },
    at: s.at.toISOString(),
  };
}

const served = async () => (await probe({ host: "127.0.0.1", port: session.iis.port, servername: "example.test" })).certificates.map((c) => c.sha256);
const desired = () => desiredRsa(s).map((c) => c.sha256);

describe("the IIS provider", () => {
  it("deploys, shows an undone distrust of R46 as drift in words, and repairs it on update; Windows Update bringing R46 back into AuthRoot is no drift", async () => {
    expect((await iisTargetProvider.check(inputs())).failures).toEqual([]);
    const created = await iisTargetProvider.create(inputs());
    const state = created.outs as IisTargetState;
    expect(created.id).toBe(`administrator@127.0.0.1:${session.ssh.port}:Default Web Site/*:443:example.test`);
    expect(state.servedChain.map((c) => c.sha256)).toEqual(desired());
    expect(state.preview).toMatch(/^IIS serves now: .*\(anchor Sectigo Public Server Authentication Root R46 .* from Root\); after apply: .*\(anchor USERTrust RSA Certification Authority/);
    expect(state.rungs.map((r) => r.rung)).toEqual(["as applied"]);
    expect(await served()).toEqual(desired());

    expect((await iisTargetProvider.read(created.id, state)).props.drift).toEqual([]);
    expect(await iisTargetProvider.diff(created.id, state, inputs())).toEqual({ changes: [], replaces: [] });

    session.host.windowsUpdateRestoresRoot(s.r46.cert);
    expect((await iisTargetProvider.read(created.id, state)).props.drift).toEqual([]); // Disallowed wins
    session.host.removeCertificate("AuthRoot", s.r46.cert);
    session.host.undoDistrust(s.r46.cert);
    expect(await served()).toHaveLength(2);
    const drift = (await iisTargetProvider.read(created.id, state)).props.drift as string[];
    expect(drift[0]).toBe("self-signed Sectigo Public Server Authentication Root R46 is back in Root: Windows builds the short chain");
    expect(drift[1]).toMatch(/^Windows builds example\.test \[\w+\] > Sectigo Public Server Authentication CA DV R36 \[\w+\] \(anchor Sectigo Public Server Authentication Root R46 \[\w+\]\), not the desired .* > Sectigo Public Server Authentication Root R46 \[\w+\]$/);
    const diff = await iisTargetProvider.diff(created.id, state, inputs());
    expect(diff.replaces).toEqual([]);
    expect(diff.changes).toContainEqual({ property: "chain", reason: drift[0], drift: true });
    expect(diff.changes.find((c) => c.reason.includes("IIS serves now:"))!.reason).toMatch(/IIS serves now: .*\(anchor Sectigo Public Server Authentication Root R46 .* from Root\); after apply: .*\(anchor USERTrust RSA Certification Authority/);

    const updated = (await iisTargetProvider.update(created.id, state, inputs())).outs as IisTargetState;
    expect(updated.done).toEqual([`moved ${s.r46.cert.sha1} from Root to Disallowed`]);
    expect(updated.rungs.map((r) => [r.rung, r.matches])).toEqual([["as applied", false], ["flush chain caches", true]]);
    expect(await served()).toEqual(desired());
    expect(await iisTargetProvider.diff(created.id, updated, inputs())).toEqual({ changes: [], replaces: [] });

    const before = session.host.snapshot();
    await iisTargetProvider.remove(created.id, updated);
    expect(session.host.snapshot()).toBe(before);

    const keyBody = s.leaf.keyPem.split("\n").slice(1, -2).join("");
    const sshKeyBody = session.sshOptions.privateKey.split("\n").slice(1, -2).join("");
    const everything = JSON.stringify([state, updated, diff]);
    for (const secret of [keyBody.slice(0, 40), KEY_PASSPHRASE, "BEGIN ENCRYPTED PRIVATE KEY"]) expect(everything).not.toContain(secret);
    expect(JSON.stringify(updated)).not.toContain('"privateKey"');
    expect(JSON.stringify(diff)).not.toContain(sshKeyBody.slice(0, 40));
  });

  it("check names the bad input; errors never carry the passphrase", async () => {
    const bad = { ...inputs(), binding: { site: "", port: 443 }, keyPassphrase: "wrong-passphrase-0000" };
    const { failures } = await iisTargetProvider.check(bad);
    expect((failures ?? []).map((f) => f.property).sort()).toEqual(["binding", "chain"]);
    expect(JSON.stringify(failures)).not.toContain("wrong-passphrase-0000");
    await expect(iisTargetProvider.create({ ...inputs(), binding: { site: "Shop", port: 443 } })).rejects.toThrow(/IIS site 'Shop' does not exist on WEB1/);
  });

  it("refuses an expired leaf in check and before touching the host", async () => {
    const old = await sectigo(new Pki({ now: new Date("2024-01-15T00:00:00Z") }));
    const expired = { ...inputs(), at: undefined, chain: pemOf(old.leaf, old.r36, old.r46ByUsertrust), privateKey: old.leaf.keyPem, keyPassphrase: undefined };
    const { failures } = await iisTargetProvider.check(expired);
    expect(failures).toEqual([{ property: "chain", reason: expect.stringMatching(/^The leaf .* expired on 2024-.*Renew it/) }]);
    const before = session.host.snapshot();
    await expect(iisTargetProvider.create(expired)).rejects.toThrow(/expired on 2024-/);
    expect(session.host.snapshot()).toBe(before);
  });
});
