import * as crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { assertHostKeyPolicy, isHostKeyTrusted, openSshFingerprint } from "../../../providers/ssh/host-keys";

// An ed25519 host key blob in SSH wire format: string "ssh-ed25519", string key(32).
function blobOf(publicKey: crypto.KeyObject): Buffer {
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]);
}
const blob = blobOf(crypto.generateKeyPairSync("ed25519").publicKey);
const other = blobOf(crypto.generateKeyPairSync("ed25519").publicKey);
const line = (hosts: string, key = blob) => `${hosts} ssh-ed25519 ${key.toString("base64")}`;

describe("host key verification", () => {
  it("computes OpenSSH's SHA256 fingerprint (unpadded base64)", () => {
    const fingerprint = openSshFingerprint(blob);
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fingerprint).toBe("SHA256:" + crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, ""));
  });

  it("trusts a pinned fingerprint and nothing else", () => {
    const policy = { hostKeyFingerprints: [openSshFingerprint(blob)] };
    expect(isHostKeyTrusted(policy, "10.0.0.5", 22, blob)).toBe(true);
    expect(isHostKeyTrusted(policy, "10.0.0.5", 22, other)).toBe(false);
  });

  it("matches known_hosts lines by host, port and key", () => {
    expect(isHostKeyTrusted({ knownHosts: line("web1,10.0.0.5") }, "10.0.0.5", 22, blob)).toBe(true);
    expect(isHostKeyTrusted({ knownHosts: line("[10.0.0.5]:2222") }, "10.0.0.5", 2222, blob)).toBe(true);
    expect(isHostKeyTrusted({ knownHosts: line("10.0.0.5") }, "10.0.0.5", 2222, blob)).toBe(false);
    expect(isHostKeyTrusted({ knownHosts: line("10.0.0.6") }, "10.0.0.5", 22, blob)).toBe(false);
    expect(isHostKeyTrusted({ knownHosts: line("10.0.0.5", other) }, "10.0.0.5", 22, blob)).toBe(false);
  });

  it("matches hashed known_hosts names and refuses @revoked keys", () => {
    const salt = crypto.randomBytes(20);
    const hashed = `|1|${salt.toString("base64")}|${crypto.createHmac("sha1", salt).update("web1.example.test").digest("base64")}`;
    expect(isHostKeyTrusted({ knownHosts: line(hashed) }, "web1.example.test", 22, blob)).toBe(true);
    expect(isHostKeyTrusted({ knownHosts: line(hashed) }, "web2.example.test", 22, blob)).toBe(false);
    expect(isHostKeyTrusted({ knownHosts: `${line("web1")}\n@revoked ${line("web1")}` }, "web1", 22, blob)).toBe(false);
  });

  it("accepts any key only with insecureAcceptAnyHostKey", () => {
    expect(isHostKeyTrusted({ insecureAcceptAnyHostKey: true }, "h", 22, other)).toBe(true);
  });

  it("refuses an empty policy and a malformed fingerprint, saying how to get the right one", () => {
    expect(() => assertHostKeyPolicy({}, "root@h:22")).toThrow(/Pin its fingerprint .*ssh-keygen -lf/);
    expect(() => assertHostKeyPolicy({ hostKeyFingerprints: ["ab:cd:ef"] }, "root@h:22")).toThrow(/is not an OpenSSH SHA256 fingerprint/);
  });
});
