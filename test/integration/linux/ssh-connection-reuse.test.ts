// Kept connections (the provider plugin keeps them: Diff reads a host, Update writes it moments
// later): a closed connection is taken again by the next open of the same login instead of a
// second login, never by another login, never once the server closed it, and closed at the end
// of the keep time. Against a real sshd, counting its session processes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SshConnection, type SshTargetOptions } from "../../../providers/ssh/connection";
import { SUDO_USER, startSshd, type Sshd } from "../../../harness/sshd";
import { eventually } from "../../../harness/eventually";

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterEach(() => SshConnection.keepIdleFor(0));
afterAll(async () => {
  await sshd?.stop();
});

const login = (user = "root"): SshTargetOptions => ({ host: sshd.host, port: sshd.port, user, privateKey: sshd.clientKey, hostKeyFingerprints: [sshd.hostKeyFingerprint] });
const sessions = () => sshd.sessionPids().length;
/** The sshd process that serves the connection's commands. */
const serverPid = async (connection: SshConnection) => (await connection.exec("echo $PPID")).stdout.toString().trim();

describe("kept SSH connections", () => {
  it("by default close() closes", async () => {
    const connection = await SshConnection.open(login());
    connection.close();
    await eventually("the session ends", () => sessions() === 0);
  });

  it("the next open of the same login takes the kept connection; another login gets its own", async () => {
    SshConnection.keepIdleFor(60_000);
    const first = await SshConnection.open(login());
    const pid = await serverPid(first);
    first.close();
    const again = await SshConnection.open(login());
    expect(again).toBe(first);
    expect(await serverPid(again)).toBe(pid);
    const other = await SshConnection.open(login(SUDO_USER));
    expect(other).not.toBe(first);
    other.close();
    again.close();
    SshConnection.keepIdleFor(0); // ends what is kept
    await eventually("the kept sessions end", () => sessions() === 0);
  });

  it("a kept connection the server closed is not taken: the next open logs in again", async () => {
    SshConnection.keepIdleFor(60_000);
    const first = await SshConnection.open(login());
    first.close();
    sshd.killSessions();
    await eventually("the client sees the connection closed", () => !first.usable);
    const next = await SshConnection.open(login());
    expect(next).not.toBe(first);
    expect((await next.exec("echo in")).stdout.toString()).toBe("in\n");
    next.end();
  });

  it("a kept connection is closed at the end of the keep time", async () => {
    SshConnection.keepIdleFor(300);
    const connection = await SshConnection.open(login());
    await serverPid(connection);
    connection.close();
    await eventually("the kept session ends", () => sessions() === 0);
    expect((await SshConnection.open(login()).then((c) => (c.end(), c))) === connection).toBe(false);
  });
});
