import { NotTlsError, TlsDecodeError } from "./errors";

/** TLS record content types (RFC 8446 section 5.1). */
export enum ContentType {
  ChangeCipherSpec = 20,
  Alert = 21,
  Handshake = 22,
  ApplicationData = 23,
}

export interface TlsRecord {
  type: number;
  /** The 5-byte record header: the additional data of TLS 1.3 record protection. */
  header: Buffer;
  body: Buffer;
}

// RFC 8446 5.1: a record is at most 2^14 bytes of plaintext, plus 256 of protection.
const MAX_RECORD_BODY = 16384 + 256;

/**
 * Splits a byte stream into complete TLS records; a trailing partial record is left out
 * (the connection ended or the handshake completed before it arrived).
 */
export function splitRecords(data: Buffer): TlsRecord[] {
  const records: TlsRecord[] = [];
  let offset = 0;
  while (data.length - offset >= 5) {
    const type = data[offset];
    const length = data.readUInt16BE(offset + 3);
    const looksLikeTls =
      type >= ContentType.ChangeCipherSpec && type <= ContentType.ApplicationData && data[offset + 1] === 3 && length <= MAX_RECORD_BODY;
    if (!looksLikeTls) {
      if (offset === 0) throw new NotTlsError(data.subarray(0, 64));
      throw new TlsDecodeError(`malformed TLS record at byte ${offset} of the server's answer`);
    }
    if (data.length - offset - 5 < length) break;
    records.push({ type, header: data.subarray(offset, offset + 5), body: data.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  if (records.length === 0 && data.length > 0 && data.length < 5 && !(data[0] >= 20 && data[0] <= 23)) {
    throw new NotTlsError(data);
  }
  return records;
}
