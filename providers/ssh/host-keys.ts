// Which SSH host keys a connection accepts. Verified by default: a pinned OpenSSH SHA256
// fingerprint or a known_hosts line must match the key the server presents. Accepting any
// key is possible only through an option whose name says what it costs.
import * as crypto from "node:crypto";
import { ChainsmithInputError } from "../../chain/errors";

export interface HostKeyPolicy {
  /** OpenSSH fingerprints, "SHA256:" + unpadded base64 (as `ssh-keygen -lf` prints them). */
  hostKeyFingerprints?: string[];
  /** Lines in known_hosts format (plain or hashed host names, `[host]:port` for other ports). */
  knownHosts?: string;
  /** Accept whatever key the server presents (man-in-the-middle risk; logs a warning). */
  insecureAcceptAnyHostKey?: boolean;
}

/** Where to log in, and how the host's key is verified: what a provider's inputs name. */
export interface SshLoginInputs extends HostKeyPolicy {
  host: string;
  port?: number;
  user: string;
}

/** OpenSSH's fingerprint of a host key blob (the SSH wire encoding of the public key). */
export function openSshFingerprint(keyBlob: Buffer): string {
  return "SHA256:" + crypto.createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "");
}

/** Checks the policy is usable; refuses an empty one so no connection ever trusts by accident. */
export function assertHostKeyPolicy(policy: HostKeyPolicy, target: string): void {
  const pins = policy.hostKeyFingerprints ?? [];
  for (const pin of pins) {
    if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(pin)) {
      throw new ChainsmithInputError(
        "bad-host-key-fingerprint",
        `${target}: "${pin}" is not an OpenSSH SHA256 fingerprint. Give it as "SHA256:" followed by 43 base64 characters, as printed by "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" on the host.`,
      );
    }
  }
  const lines = knownHostsEntries(policy.knownHosts ?? "");
  if (pins.length === 0 && lines.length === 0 && !policy.insecureAcceptAnyHostKey) {
    throw new ChainsmithInputError(
      "host-key-unverified",
      `${target}: no host key to verify the server against. Pin its fingerprint (hostKeyFingerprints: ["SHA256:..."] from "ssh-keygen -lf" on the host) ` +
        `or give known_hosts lines (knownHosts, e.g. from "ssh-keyscan"). Only if you accept a man-in-the-middle risk, set insecureAcceptAnyHostKey: true.`,
    );
  }
}

/** True when `keyBlob` presented by `host`:`port` is trusted by the policy. */
export function isHostKeyTrusted(policy: HostKeyPolicy, host: string, port: number, keyBlob: Buffer): boolean {
  if (policy.insecureAcceptAnyHostKey) return true;
  const fingerprint = openSshFingerprint(keyBlob);
  if ((policy.hostKeyFingerprints ?? []).includes(fingerprint)) return true;
  const presented = keyBlob.toString("base64");
  const entries = knownHostsEntries(policy.knownHosts ?? "").filter((e) => e.key === presented && e.hosts.some((h) => hostPatternMatches(h, host, port)));
  return entries.length > 0 && !entries.some((e) => e.revoked);
}

interface KnownHostsEntry {
  hosts: string[];
  key: string;
  revoked: boolean;
}

function knownHostsEntries(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0].startsWith("@") ? fields.shift() : undefined;
    // @cert-authority lines name a CA key, not a host key; this verifier does not do SSH certificates.
    if (marker === "@cert-authority" || fields.length < 3) continue;
    entries.push({ hosts: fields[0].split(","), key: fields[2], revoked: marker === "@revoked" });
  }
  return entries;
}

// OpenSSH writes hosts on port 22 as "host" and others as "[host]:port"; hashed names are
// "|1|base64(salt)|base64(HMAC-SHA1(salt, name))" of that same spelling.
function hostPatternMatches(pattern: string, host: string, port: number): boolean {
  const name = port === 22 ? host : `[${host}]:${port}`;
  if (pattern.startsWith("|1|")) {
    const [, , salt, hash] = pattern.split("|");
    if (!salt || !hash) return false;
    return crypto.createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  return pattern === name;
}
