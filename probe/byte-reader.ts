import { TlsDecodeError } from "./errors";

/** Reads TLS wire structures (big-endian integers, length-prefixed vectors) with bounds checks. */
export class ByteReader {
  private offset = 0;

  constructor(
    private readonly bytes: Buffer,
    /** What is being read, for error messages ("ServerHello"). */
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  uint8(): number {
    return this.take(1)[0];
  }

  uint16(): number {
    return this.take(2).readUInt16BE(0);
  }

  uint24(): number {
    return this.take(3).readUIntBE(0, 3);
  }

  bytesOf(length: number): Buffer {
    return this.take(length);
  }

  /** A vector whose length prefix is `prefixBytes` long (1, 2 or 3). */
  vector(prefixBytes: 1 | 2 | 3): Buffer {
    const length = prefixBytes === 1 ? this.uint8() : prefixBytes === 2 ? this.uint16() : this.uint24();
    return this.take(length);
  }

  private take(length: number): Buffer {
    if (length > this.remaining) {
      throw new TlsDecodeError(`${this.what} is truncated: needs ${length} more bytes, has ${this.remaining}`);
    }
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}
