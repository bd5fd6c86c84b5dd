// The three ways the deploy flow reaches a Linux host, for tests that must hold on each:
// root over SFTP, a sudo user through `sudo -n sh -c`, and this machine (LocalHost). The first
// two go through the real sshd of harness/sshd.ts.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalHost } from "../../../providers/linux/hosts/local-host";
import { SshHost } from "../../../providers/linux/hosts/ssh-host";
import type { TargetHost } from "../../../providers/linux/hosts/target-host";
import { afterAll, beforeAll } from "vitest";
import { startSshd, SUDO_USER, type Sshd } from "../../../harness/sshd";
import { crossSignedSite, type CrossSignedSite } from "../../../harness/scenarios";

export interface HostKind {
  who: string;
  connect(sshd: Sshd, options?: { commandTimeoutMs?: number }): Promise<TargetHost>;
}

export const HOST_KINDS: HostKind[] = [
  {
    who: "root over SFTP",
    connect: (sshd, options = {}) => SshHost.connect({ host: sshd.host, port: sshd.port, user: "root", privateKey: sshd.clientKey, hostKeyFingerprints: [sshd.hostKeyFingerprint], ...options }),
  },
  {
    who: "sudo through sh",
    connect: (sshd, options = {}) =>
      SshHost.connect({ host: sshd.host, port: sshd.port, user: SUDO_USER, sudo: true, privateKey: sshd.clientKey, hostKeyFingerprints: [sshd.hostKeyFingerprint], ...options }),
  },
  { who: "this machine", connect: async (_sshd, options = {}) => new LocalHost(options) },
];

/** For a test file: a real sshd and the cross-signed site, started before its tests, stopped after. */
export function sshdAndSite(): { sshd: Sshd; pki: CrossSignedSite } {
  const env = {} as { sshd: Sshd; pki: CrossSignedSite };
  beforeAll(async () => {
    [env.sshd, env.pki] = await Promise.all([startSshd(), crossSignedSite()]);
  });
  afterAll(async () => {
    await env.sshd?.stop();
  });
  return env;
}

/** A fresh root-owned 0755 directory under the system's temporary directory. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chainsmith-${prefix}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Runs `work` with a host of `kind`, closing it afterwards. */
export async function withHost<T>(kind: HostKind, sshd: Sshd, work: (host: TargetHost) => Promise<T>, options?: { commandTimeoutMs?: number }): Promise<T> {
  const host = await kind.connect(sshd, options);
  try {
    return await work(host);
  } finally {
    host.close();
  }
}

/** `promise`, or a rejection naming `what` after `ms`: a test of a hang must end even when the code under test hangs. */
export function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still running after ${ms} ms (a hang)`)), ms)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
