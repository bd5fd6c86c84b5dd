/**
 * The PFX the agent imports, made the same way every time for a given certificate list and
 * key (its password and every PBE salt and IV derived from the key and the certificates by
 * HMAC), so that a Pulumi input holding it changes exactly when the leaf or the key does.
 * For Azure Run Command it is sealed: AES-256-CBC under a key derived the same way, so the
 * ciphertext can ride in the script (no size limit, nothing for cmd.exe to mangle) while
 * only the 64 hex digits of the key go in a protected parameter.
 */
import * as crypto from "node:crypto";
import { Certificate } from "../../chain/certificate";
import { writePfx, type PfxProfile } from "../../chain/pfx-write";
import type { PfxPayload } from "./contract";

/** A PFX of `certificates` (leaf first) and the leaf's key: deterministic, under a derived password. */
export function pfxPayload(certificates: readonly Certificate[], key: crypto.KeyObject, profile: PfxProfile): PfxPayload {
  const derive = deriver(key, `${profile}\0${certificates.map((c) => c.sha256).join(",")}`);
  const password = derive("pfx password").toString("base64url");
  const seed = derive("pfx salts");
  let counter = 0;
  let pool = Buffer.alloc(0);
  const randomBytes = (size: number): Buffer => {
    while (pool.length < size) pool = Buffer.concat([pool, crypto.createHmac("sha256", seed).update(String(counter++)).digest()]);
    const out = Buffer.from(pool.subarray(0, size));
    pool = pool.subarray(size);
    return out;
  };
  const pfx = writePfx([...certificates], key, password, { profile, friendlyName: certificates[0]?.commonName, randomBytes });
  return { base64: pfx.toString("base64"), password };
}

export interface SealedPfx {
  /** base64 of IV || AES-256-CBC ciphertext of the payload's JSON: public without the key. */
  sealed: string;
  /** The AES key, 64 hex digits: a secret (a protected parameter). */
  key: string;
}

/** The payload sealed under a key derived from the leaf's key and the leaf. */
export function sealPfx(payload: PfxPayload, leafKey: crypto.KeyObject, leaf: Certificate): SealedPfx {
  const key = deriver(leafKey, leaf.sha256)("run command payload key");
  const plain = Buffer.from(JSON.stringify(payload), "utf8");
  const iv = crypto.createHmac("sha256", key).update(plain).digest().subarray(0, 16);
  const cipher = crypto.createCipheriv("aes-256-cbc", key, iv);
  return { sealed: Buffer.concat([iv, cipher.update(plain), cipher.final()]).toString("base64"), key: key.toString("hex") };
}

/** What the agent does with a sealed payload and its key (here for the Azure mock). */
export function unsealPfx(sealed: string, keyHex: string): PfxPayload {
  const bytes = Buffer.from(sealed, "base64");
  const decipher = crypto.createDecipheriv("aes-256-cbc", Buffer.from(keyHex, "hex"), bytes.subarray(0, 16));
  return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]).toString("utf8")) as PfxPayload;
}

function deriver(key: crypto.KeyObject, context: string): (purpose: string) => Buffer {
  const secret = key.export({ type: "pkcs8", format: "der" });
  return (purpose) => crypto.createHmac("sha256", secret).update(`chainsmith ${purpose}\0${context}`).digest();
}
