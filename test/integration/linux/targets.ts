/**
 * Shared setup for the Linux target tests: a cross-signed PKI (old root, new root, the new
 * root cross-signed by the old, an intermediate, a leaf), a real sshd and a real web server
 * on loopback serving the short chain (leaf + intermediate) that legacy clients reject.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Protocol } from "../../../probe/endpoint";
import { UPGRADES } from "../../../probe/starttls/upgrades";
import { Pki, pemOf, type Issued } from "../../fixtures/pki";
import { freePort } from "../../support/tls-servers";

export const SITE = "shop.example.test";

export interface CrossSignedPki {
  oldRoot: Issued;
  newRoot: Issued;
  newRootByOld: Issued;
  intermediate: Issued;
  leaf: Issued;
  /** A second leaf with another key (for the mismatched-key fault). */
  otherLeaf: Issued;
  /** What the server must send for legacy clients: leaf, intermediate, cross-signed new root. */
  desiredChainPem: string;
  /** What the server sends before the deployment: leaf and intermediate only. */
  shortChainPem: string;
}

export async function crossSignedPki(): Promise<CrossSignedPki> {
  const pki = new Pki();
  const oldRoot = await pki.root("Old Root CA");
  const newRoot = await pki.root("New Root R46");
  const newRootByOld = await pki.crossSign(newRoot, oldRoot);
  const intermediate = await pki.intermediate("Issuing CA R36", newRoot);
  const leaf = await pki.leaf(SITE, intermediate);
  const otherLeaf = await pki.leaf("other.example.test", intermediate);
  return { oldRoot, newRoot, newRootByOld, intermediate, leaf, otherLeaf, desiredChainPem: pemOf(leaf, intermediate, newRootByOld), shortChainPem: pemOf(leaf, intermediate) };
}

/** A directory of TLS files as a server had them before chainsmith: the short chain and its key. */
export function existingTlsDir(pki: CrossSignedPki): { dir: string; fullchain: string; privkey: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-tls-"));
  fs.chmodSync(dir, 0o755);
  const fullchain = path.join(dir, "fullchain.pem");
  const privkey = path.join(dir, "privkey.pem");
  fs.writeFileSync(fullchain, pki.shortChainPem, { mode: 0o644 });
  fs.writeFileSync(privkey, pki.leaf.keyPem, { mode: 0o600 });
  return { dir, fullchain, privkey, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `curl --cacert <root>` to the server as SITE resolved to 127.0.0.1: a client that trusts
 * only that root. Resolves to curl's exit code and stderr (0 = the chain verified).
 */
export async function curlTrusting(root: Issued, port: number): Promise<{ code: number; stderr: string }> {
  const caFile = path.join(os.tmpdir(), `chainsmith-ca-${root.cert.sha256.slice(0, 12)}.pem`);
  fs.writeFileSync(caFile, root.pem);
  return new Promise((resolve, reject) =>
    execFile("curl", ["-sS", "-o", "/dev/null", "--max-time", "5", "--cacert", caFile, "--resolve", `${SITE}:${port}:127.0.0.1`, `https://${SITE}:${port}/`], (error, _stdout, stderr) => {
      // A missing curl would read as "the client failed", which some tests expect.
      if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") return reject(new Error("curl is not installed; these tests need it as a real client (scripts/setup.sh installs it)"));
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr });
    }),
  );
}

/**
 * `openssl s_client -starttls <protocol> -verify_return_error` as a client that trusts only
 * `root` and checks the name SITE: exit code 0 when the chain verified (for mail servers,
 * which curl cannot check without logging in).
 */
export async function opensslTrusting(root: Issued, port: number, protocol: Protocol): Promise<{ code: number; stderr: string }> {
  const caFile = path.join(os.tmpdir(), `chainsmith-ca-${root.cert.sha256.slice(0, 12)}.pem`);
  fs.writeFileSync(caFile, root.pem);
  const args = ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", SITE, "-verify_hostname", SITE, "-CAfile", caFile, "-verify_return_error", ...(UPGRADES[protocol] ? ["-starttls", protocol] : [])];
  return new Promise((resolve) => {
    const child = execFile("openssl", args, { timeout: 10_000 }, (error, _stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }));
    child.stdin?.end();
  });
}

export { freePort };
