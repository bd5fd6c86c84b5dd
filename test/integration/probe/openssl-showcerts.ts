/** The peer to compare against: what `openssl s_client -showcerts` prints for an endpoint. */
import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import type { Protocol } from "../../../probe/endpoint";
import { UPGRADES } from "../../../probe/starttls/upgrades";

export interface ShowcertsOptions {
  servername?: string;
  tls?: "1.2" | "1.3";
  /** OpenSSL -sigalgs list, to pick one certificate of a dual-certificate server. */
  sigalgs?: string;
  /** Upgrade with `-starttls <protocol>` first (OpenSSL names them as chainsmith does). */
  protocol?: Protocol;
}

/** SHA-256 fingerprints (lowercase hex) of the certificates s_client printed, in its order. */
export function opensslShowcerts(host: string, port: number, options: ShowcertsOptions = {}): Promise<string[]> {
  const args = ["s_client", "-connect", `${host}:${port}`, "-showcerts"];
  args.push(...(options.servername ? ["-servername", options.servername] : ["-noservername"]));
  if (options.tls) args.push(options.tls === "1.2" ? "-tls1_2" : "-tls1_3");
  if (options.sigalgs) args.push("-sigalgs", options.sigalgs);
  if (options.protocol && UPGRADES[options.protocol]) args.push("-starttls", options.protocol);
  // XMPP opens its stream to a domain: the SNI name, as the probe does.
  if (options.protocol === "xmpp" && options.servername) args.push("-xmpphost", options.servername);
  return new Promise((resolve, reject) => {
    const child = execFile("openssl", args, { timeout: 10_000 }, (error, stdout, stderr) => {
      const blocks = stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      if (blocks.length === 0) return reject(new Error(`openssl s_client printed no certificate (${error?.message ?? ""}): ${stderr}`));
      resolve(blocks.map((pem) => crypto.createHash("sha256").update(new crypto.X509Certificate(pem).raw).digest("hex")));
    });
    child.stdin?.end();
  });
}
