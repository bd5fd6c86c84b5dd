/**
 * Shared setup for the Linux target tests: the cross-signed site of harness/scenarios.ts,
 * the TLS files a server had before chainsmith (the short chain, which legacy clients reject),
 * and curl as a client that trusts one root.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Protocol } from "../../../probe/endpoint";
import { UPGRADES } from "../../../probe/starttls/upgrades";
import type { Issued } from "../../../harness/pki";
import type { CrossSignedSite } from "../../../harness/scenarios";
import { run } from "../../../harness/run";
import { freePort } from "../../../harness/tls-servers";

export const SITE = "shop.example.test";

/** A directory of TLS files as a server had them before chainsmith: the short chain and its key. */
export function existingTlsDir(pki: CrossSignedSite): { dir: string; fullchain: string; privkey: string; remove(): void } {
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
  const r = await run("curl", ["-sS", "-o", "/dev/null", "--max-time", "30", "--cacert", caFile, "--resolve", `${SITE}:${port}:127.0.0.1`, `https://${SITE}:${port}/`]);
  return { code: r.code, stderr: r.stderr };
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
  const r = await run("openssl", args, { timeoutMs: 60_000 });
  return { code: r.code, stderr: r.stderr };
}

export { freePort };
