import * as crypto from "node:crypto";
import { TlsDecodeError, TlsUnsupportedError } from "./errors";
import type { TlsRecord } from "./tls-records";

interface Tls13Suite {
  name: string;
  cipher: "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305";
  keyLength: number;
  hash: "sha256" | "sha384";
}

// The TLS 1.3 suites Node's OpenSSL offers by default (RFC 8446 B.4). CCM suites are never
// offered by the probe, so a server cannot pick them.
const TLS13_SUITES: Record<number, Tls13Suite> = {
  0x1301: { name: "TLS_AES_128_GCM_SHA256", cipher: "aes-128-gcm", keyLength: 16, hash: "sha256" },
  0x1302: { name: "TLS_AES_256_GCM_SHA384", cipher: "aes-256-gcm", keyLength: 32, hash: "sha384" },
  0x1303: { name: "TLS_CHACHA20_POLY1305_SHA256", cipher: "chacha20-poly1305", keyLength: 32, hash: "sha256" },
};

const TAG_LENGTH = 16;
const IV_LENGTH = 12;

/** RFC 8446 7.1 HKDF-Expand-Label(Secret, Label, Context, Length). */
export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, "ascii");
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, fullLabel.length]),
    fullLabel,
    Buffer.from([context.length]),
    context,
  ]);
  return hkdfExpand(hash, secret, info, length);
}

// RFC 5869 2.3, Expand only: TLS 1.3 secrets are already pseudorandom keys.
function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous: Buffer = Buffer.alloc(0);
  for (let i = 1, total = 0; total < length; i++, total += previous.length) {
    previous = crypto.createHmac(hash, prk).update(previous).update(info).update(Buffer.from([i])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** The record's real content type and its content, once protection is removed. */
export interface InnerPlaintext {
  type: number;
  content: Buffer;
}

/**
 * Removes TLS 1.3 record protection (RFC 8446 5.2-5.3) from the server's records, in order,
 * with the key and IV derived from one traffic secret (here the server handshake secret).
 */
export class Tls13RecordDecrypter {
  private sequence = 0n;
  private readonly suite: Tls13Suite;
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(cipherSuite: number, trafficSecret: Buffer) {
    const suite = TLS13_SUITES[cipherSuite];
    if (!suite) throw new TlsUnsupportedError(`TLS 1.3 cipher suite 0x${cipherSuite.toString(16).padStart(4, "0")} is not supported`);
    this.suite = suite;
    this.key = hkdfExpandLabel(suite.hash, trafficSecret, "key", Buffer.alloc(0), suite.keyLength);
    this.iv = hkdfExpandLabel(suite.hash, trafficSecret, "iv", Buffer.alloc(0), IV_LENGTH);
  }

  decrypt(record: TlsRecord): InnerPlaintext {
    if (record.body.length < TAG_LENGTH + 1) throw new TlsDecodeError("encrypted TLS 1.3 record is too short");
    const decipher = crypto.createDecipheriv(this.suite.cipher, this.key, this.nextNonce(), { authTagLength: TAG_LENGTH } as never) as crypto.DecipherGCM;
    decipher.setAAD(record.header);
    decipher.setAuthTag(record.body.subarray(record.body.length - TAG_LENGTH));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(record.body.subarray(0, record.body.length - TAG_LENGTH)), decipher.final()]);
    } catch {
      throw new TlsDecodeError("a TLS 1.3 handshake record does not decrypt with the handshake traffic secret");
    }
    // TLSInnerPlaintext: content, then the real content type, then zero padding.
    let end = plaintext.length - 1;
    while (end >= 0 && plaintext[end] === 0) end--;
    if (end < 0) throw new TlsDecodeError("decrypted TLS 1.3 record has no content type");
    return { type: plaintext[end], content: plaintext.subarray(0, end) };
  }

  // RFC 8446 5.3: the 64-bit record sequence number, left-padded, XORed with the IV.
  private nextNonce(): Buffer {
    const nonce = Buffer.from(this.iv);
    const sequence = Buffer.alloc(8);
    sequence.writeBigUInt64BE(this.sequence++);
    for (let i = 0; i < 8; i++) nonce[IV_LENGTH - 8 + i] ^= sequence[i];
    return nonce;
  }
}

