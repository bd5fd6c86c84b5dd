// The files servers read, under the names people know from certbot, plus HAProxy's
// combined PEM. The served chain is leaf first, then intermediates in order, never the
// self-signed anchor: clients have it, and sending it only costs bytes and confuses some.
import * as crypto from "node:crypto";
import { Certificate } from "./certificate";
import { ChainsmithInputError } from "./errors";
import { assertKeyMatchesLeaf } from "./key";

export interface RenderedFiles {
  /** Leaf then intermediates: nginx ssl_certificate, Apache >= 2.4.8 SSLCertificateFile. */
  "fullchain.pem": string;
  /** Intermediates only (empty when the leaf is signed by the anchor itself). */
  "chain.pem": string;
  /** The leaf alone. */
  "cert.pem": string;
  /** The key as unencrypted PKCS#8; only when a key was given. */
  "privkey.pem"?: string;
  /** fullchain then key in one file (HAProxy crt); only when a key was given. */
  "haproxy.pem"?: string;
}

/** File names that hold a private key: write them 0600. */
export const PRIVATE_FILES: ReadonlyArray<keyof RenderedFiles> = ["privkey.pem", "haproxy.pem"];

/**
 * Renders the served chain (leaf first, anchor excluded) and optionally its key.
 * Refuses an empty chain, a chain out of order or whose signatures do not link, a
 * self-signed certificate after the leaf, and a key that does not belong to the leaf.
 */
export function renderFiles(chain: Certificate[], key?: crypto.KeyObject): RenderedFiles {
  assertServableChain(chain);
  const [leaf, ...intermediates] = chain;
  const fullchain = chain.map((c) => c.pem).join("");
  const files: RenderedFiles = {
    "fullchain.pem": fullchain,
    "chain.pem": intermediates.map((c) => c.pem).join(""),
    "cert.pem": leaf.pem,
  };
  if (key) {
    if (key.type !== "private") throw new ChainsmithInputError("not-a-key", "The key given to render is a public key; the private key is needed.");
    assertKeyMatchesLeaf(key, leaf);
    const privkey = key.export({ type: "pkcs8", format: "pem" }).toString();
    files["privkey.pem"] = privkey;
    files["haproxy.pem"] = fullchain + privkey;
  }
  return files;
}

/** The checks renderFiles makes on a chain before it is served. */
function assertServableChain(chain: Certificate[]): void {
  if (chain.length === 0) throw new ChainsmithInputError("empty-chain", "The chain to render is empty; it needs at least the leaf certificate.");
  for (let i = 1; i < chain.length; i++) {
    if (chain[i].selfSigned) {
      throw new ChainsmithInputError(
        "anchor-in-chain",
        `Position ${i + 1} of the chain, ${chain[i].label}, is a self-signed root. Servers must not send the trust anchor; leave it out (clients have it in their stores).`,
      );
    }
    if (!chain[i - 1].isIssuedByName(chain[i])) {
      throw new ChainsmithInputError(
        "chain-out-of-order",
        `Position ${i + 1} of the chain, ${chain[i].label}, did not issue position ${i}, ${chain[i - 1].label}. ` +
          `Give the chain leaf first, each certificate followed by its issuer.`,
      );
    }
    // The right name is not enough: a CA renewed with a new key keeps its name (clients then fail with "bad signature").
    if (!chain[i - 1].isSignedBy(chain[i])) {
      throw new ChainsmithInputError(
        "chain-does-not-link",
        `Position ${i + 1} of the chain, ${chain[i].label}, has the name of the issuer of position ${i}, ${chain[i - 1].label}, but its key did not sign it ` +
          `(another generation of that CA?). Give the intermediate that issued position ${i}; 'chainsmith bundle' picks it from a pool.`,
      );
    }
  }
}
