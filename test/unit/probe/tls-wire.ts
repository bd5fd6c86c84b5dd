/** Builders of TLS wire bytes, for feeding the probe's parsers exact, known structures. */
import * as crypto from "node:crypto";
import { hkdfExpandLabel } from "../../../probe/tls13-decrypt";

export function vector(prefixBytes: 1 | 2 | 3, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const prefix = Buffer.alloc(prefixBytes);
  prefix.writeUIntBE(body.length, 0, prefixBytes);
  return Buffer.concat([prefix, body]);
}

export function uint16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

export function record(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, 3, 3]), uint16(body.length), body]);
}

export function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), vector(3, body)]);
}

export function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([uint16(type), vector(2, data)]);
}

export const HRR_RANDOM = Buffer.from("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c", "hex");

export function serverHello(options: { cipherSuite: number; tls13?: boolean; random?: Buffer }): Buffer {
  const extensions = options.tls13 ? [vector(2, extension(43, uint16(0x0304)))] : [];
  return handshake(
    2,
    Buffer.concat([uint16(0x0303), options.random ?? Buffer.alloc(32, 7), vector(1, Buffer.alloc(32, 1)), uint16(options.cipherSuite), Buffer.from([0]), ...extensions]),
  );
}

export function certificate12(...ders: Buffer[]): Buffer {
  return handshake(11, vector(3, ...ders.map((der) => vector(3, der))));
}

export function certificate13(ders: Buffer[], leafOcsp?: Buffer): Buffer {
  const entries = ders.map((der, i) => {
    const extensions = i === 0 && leafOcsp ? extension(5, Buffer.concat([Buffer.from([1]), vector(3, leafOcsp)])) : Buffer.alloc(0);
    return Buffer.concat([vector(3, der), vector(2, extensions)]);
  });
  return handshake(11, Buffer.concat([vector(1), vector(3, ...entries)]));
}

/** Protects records as a TLS 1.3 server does with AES-128-GCM (RFC 8446 5.2), sequence from 0. */
export class Tls13Sealer {
  private sequence = 0n;
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(secret: Buffer) {
    this.key = hkdfExpandLabel("sha256", secret, "key", Buffer.alloc(0), 16);
    this.iv = hkdfExpandLabel("sha256", secret, "iv", Buffer.alloc(0), 12);
  }

  seal(innerType: number, content: Buffer, padding = 0): Buffer {
    const plaintext = Buffer.concat([content, Buffer.from([innerType]), Buffer.alloc(padding)]);
    const header = Buffer.concat([Buffer.from([23, 3, 3]), uint16(plaintext.length + 16)]);
    const nonce = Buffer.from(this.iv);
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(this.sequence++);
    for (let i = 0; i < 8; i++) nonce[4 + i] ^= seq[i];
    const cipher = crypto.createCipheriv("aes-128-gcm", this.key, nonce);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return Buffer.concat([header, body]);
  }
}
