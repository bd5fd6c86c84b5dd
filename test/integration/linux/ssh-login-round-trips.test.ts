// A login sends the signed publickey request at once (RFC 4252 allows it): no unsigned "would
// this key do?" request first, one round trip fewer per connection, for Ed25519, ECDSA and RSA
// client keys (RSA signs with the hash of the algorithm the server offers), against a real
// sshd. The trace comes from the real ssh2 protocol object's authPK (spied, not replaced).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SshConnection } from "../../../providers/ssh/connection";
import { SshError } from "../../../providers/ssh/errors";
import { startSshd, type Sshd } from "../../../harness/sshd";
import { runOk } from "../../../harness/run";

const Protocol = require("ssh2/lib/protocol/Protocol.js") as { prototype: { authPK: (...args: unknown[]) => unknown } };

let sshd: Sshd;
let dir: string;
const requests: ("signed" | "unsigned")[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-login-"));
  const real = Protocol.prototype.authPK;
  vi.spyOn(Protocol.prototype, "authPK").mockImplementation(function (this: unknown, ...args: unknown[]) {
    requests.push(args.some((a) => typeof a === "function") ? "signed" : "unsigned");
    return real.apply(this, args);
  });
});
afterEach(() => {
  requests.length = 0;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await sshd?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A new client key of this type, authorized on the test sshd. */
async function authorizedKey(type: string): Promise<string> {
  const file = path.join(dir, `key-${type}`);
  await runOk("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", "", "-C", "chainsmith-test", "-f", file]);
  fs.appendFileSync(path.join(path.dirname(sshd.clientKeyPath), "authorized_keys"), fs.readFileSync(`${file}.pub`));
  return fs.readFileSync(file, "utf8");
}

const open = (privateKey: string) => SshConnection.open({ host: sshd.host, port: sshd.port, user: "root", privateKey, hostKeyFingerprints: [sshd.hostKeyFingerprint] });

describe("SSH login", () => {
  for (const type of ["ed25519", "ecdsa", "rsa"]) {
    it(`${type}: one signed request logs in`, async () => {
      const key = type === "ed25519" ? sshd.clientKey : await authorizedKey(type);
      const connection = await open(key);
      try {
        expect(requests).toEqual(["signed"]);
        expect((await connection.exec("echo in")).stdout.toString()).toBe("in\n");
      } finally {
        connection.close();
      }
    });
  }

  it("a key the server does not know is refused after its one signed request, saying to check authorized_keys", async () => {
    const file = path.join(dir, "unknown");
    await runOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
    const error = await open(fs.readFileSync(file, "utf8")).then(() => undefined, (e: unknown) => e as SshError);
    expect(error?.code).toBe("auth-failed");
    expect(error?.message).toContain("authorized_keys");
    expect(requests).toEqual(["signed"]);
  });
});
