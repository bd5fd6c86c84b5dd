/**
 * DER reading (X.690) as strict as Go's cryptobyte: definite lengths in their shortest form,
 * elements wholly inside their parent, booleans 0x00 or 0xFF, bit strings with zero padding,
 * integers and OIDs minimally encoded. Readers walk known schemas with fixed depth, never a
 * generic recursion, so no input can nest them deeper than the schema (issue 13: 300-deep
 * nesting). Every failure is a DerError naming what was being read.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

export interface DerElement {
  /** The first identifier octet (class, constructed bit, low tag number). */
  tag: number;
  /** Offset of the tag octet. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the element. */
  end: number;
}

/** Tags of X.690 and RFC 5280 that the readers name. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** [n] IMPLICIT of a primitive type, and [n] of a constructed one. */
export const contextTag = (n: number, constructed = false): number => 0x80 | (constructed ? 0x20 : 0) | n;

/**
 * The element at `offset`, lenient: the header only, not whether the content is all there.
 * For telling a cut file ("ends after N of M bytes") from a malformed one.
 */
export function derElementAt(der: Uint8Array, offset = 0): DerElement | undefined {
  try {
    return header(der, offset, der.length, false);
  } catch {
    return undefined;
  }
}

/**
 * The element at `offset` when it lies wholly within `der` (and has `tag`, when given), with
 * BER's lengths allowed: for protocols that are BER, not DER (LDAP writes long-form lengths).
 */
export function derElementWithin(der: Uint8Array, offset: number, tag?: number): DerElement | undefined {
  try {
    const found = header(der, offset, der.length, true, true);
    return tag === undefined || found.tag === tag ? found : undefined;
  } catch {
    return undefined;
  }
}

/** The element at `offset`, which must lie wholly before `limit`; `what` and `part` name it in errors. */
export function readElement(der: Buffer, offset: number, limit: number, what: string, part?: string): DerElement {
  try {
    return header(der, offset, limit, true);
  } catch (e) {
    throw new DerError(`${what}${part ? `, ${part}` : ""}: ${(e as Error).message}`);
  }
}

function header(der: Buffer | Uint8Array, offset: number, limit: number, whole: boolean, ber = false): DerElement {
  let at = offset;
  if (at >= limit) throw new Error("missing");
  const tag = der[at++];
  if ((tag & 0x1f) === 0x1f) {
    // High tag number form: base-128 octets, the first not 0x80, at most 4.
    let octets = 0;
    do {
      if (at >= limit || ++octets > 4 || (octets === 1 && der[at] === 0x80)) throw new Error("bad tag");
    } while (der[at++] & 0x80);
  }
  if (at >= limit) throw new Error("no length");
  const first = der[at++];
  let length = first;
  if (first >= 0x80) {
    const octets = first & 0x7f;
    if (octets === 0) throw new Error("indefinite length (not DER)");
    if (octets > 4 || at + octets > limit) throw new Error("bad length");
    if (!ber && der[at] === 0) throw new Error("length not in its shortest form (not DER)");
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[at++];
    if (!ber && length < 0x80) throw new Error("length not in its shortest form (not DER)");
  }
  const end = at + length;
  if (whole && end > limit) throw new Error(`content runs past its end (${end - limit} bytes missing)`);
  return { tag, start: offset, contentStart: at, end };
}

/** Reads the elements inside a constructed element (or a whole buffer) one after another. */
export class DerCursor {
  private at: number;

  constructor(
    readonly der: Buffer,
    start: number,
    readonly end: number,
    private readonly what: string,
  ) {
    this.at = start;
  }

  /** A cursor over the content of `element`. */
  static inside(der: Buffer, element: DerElement, what: string): DerCursor {
    return new DerCursor(der, element.contentStart, element.end, what);
  }

  get done(): boolean {
    return this.at >= this.end;
  }

  peekTag(): number | undefined {
    return this.done ? undefined : this.der[this.at];
  }

  /** The next element; with `tag`, it must have that tag. */
  next(tag?: number, part = "element"): DerElement {
    // Messages are built only on failure: a string per element read would cost more than the reading.
    const element = readElement(this.der, this.at, this.end, this.what, part);
    if (tag !== undefined && element.tag !== tag) {
      throw new DerError(`${this.what}, ${part}: expected tag 0x${hex2(tag)}, found 0x${hex2(element.tag)}`);
    }
    this.at = element.end;
    return element;
  }

  /** The next element when it has `tag`, else undefined (nothing consumed). */
  optional(tag: number, part = "element"): DerElement | undefined {
    return this.peekTag() === tag ? this.next(tag, part) : undefined;
  }

  /** Fails unless every element has been read. */
  finish(): void {
    if (!this.done) throw new DerError(`${this.what}: ${this.end - this.at} unexpected bytes after the last field`);
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

// Readers index into the one certificate buffer rather than slicing it: creating a Buffer
// costs more than reading the element (it dominated parsing a trust store).

export function contentOf(der: Buffer, element: DerElement): Buffer {
  return der.subarray(element.contentStart, element.end);
}

export function wholeOf(der: Buffer, element: DerElement): Buffer {
  return der.subarray(element.start, element.end);
}

/** An OBJECT IDENTIFIER in dotted form; minimal base-128 sub-identifiers only. */
export function readOid(der: Buffer, element: DerElement, what: string): string {
  const { contentStart: start, end } = element;
  if (end === start || der[end - 1] & 0x80) throw new DerError(`${what}: malformed OBJECT IDENTIFIER`);
  const arcs: number[] = [];
  let value = 0;
  let fresh = true;
  for (let i = start; i < end; i++) {
    const byte = der[i];
    if (fresh && byte === 0x80) throw new DerError(`${what}: OBJECT IDENTIFIER not in its shortest form`);
    if (value > 2 ** 45) throw new DerError(`${what}: OBJECT IDENTIFIER arc too large`);
    value = value * 128 + (byte & 0x7f);
    fresh = (byte & 0x80) === 0;
    if (fresh) {
      if (arcs.length === 0) arcs.push(value < 40 ? 0 : value < 80 ? 1 : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join(".");
}

/** An INTEGER's content octets (two's complement), checked for the shortest form. */
export function readIntegerBytes(der: Buffer, element: DerElement, what: string): Buffer {
  checkInteger(der, element.contentStart, element.end, what);
  return contentOf(der, element);
}

function checkInteger(der: Buffer, start: number, end: number, what: string): void {
  if (end === start) throw new DerError(`${what}: empty INTEGER`);
  if (end - start > 1 && ((der[start] === 0 && der[start + 1] < 0x80) || (der[start] === 0xff && der[start + 1] >= 0x80))) {
    throw new DerError(`${what}: INTEGER not in its shortest form`);
  }
}

/** A non-negative INTEGER small enough for a number (pathLen, versions, counts). */
export function readSmallInteger(der: Buffer, element: DerElement, what: string): number {
  const { contentStart: start, end } = element;
  checkInteger(der, start, end, what);
  const length = end - start;
  if (der[start] & 0x80) throw new DerError(`${what}: negative INTEGER`);
  if (length > 5 || (length === 5 && der[start] !== 0)) throw new DerError(`${what}: INTEGER too large`);
  let n = 0;
  for (let i = start; i < end; i++) n = n * 256 + der[i];
  return n;
}

export function readBoolean(der: Buffer, element: DerElement, what: string): boolean {
  const value = der[element.contentStart];
  if (element.end - element.contentStart !== 1 || (value !== 0 && value !== 0xff)) throw new DerError(`${what}: BOOLEAN must be 0x00 or 0xFF in DER`);
  return value === 0xff;
}

/** A BIT STRING's bytes and bit length; padding bits must be zero (DER). */
export function readBitString(der: Buffer, element: DerElement, what: string): { bytes: Buffer; bits: number } {
  const content = contentOf(der, element);
  const padding = content[0];
  const bytes = content.subarray(1);
  if (content.length === 0 || padding > 7 || (bytes.length === 0 && padding !== 0) || (bytes.length > 0 && bytes[bytes.length - 1] & ((1 << padding) - 1))) {
    throw new DerError(`${what}: malformed BIT STRING`);
  }
  return { bytes, bits: bytes.length * 8 - padding };
}

/**
 * UTCTime or GeneralizedTime as RFC 5280 4.1.2.5 writes them, with what Go also accepts:
 * UTCTime without seconds, and a +hhmm offset instead of Z.
 */
export function readTime(der: Buffer, element: DerElement, what: string): Date {
  const text = der.toString("latin1", element.contentStart, element.end);
  const match =
    element.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/.exec(text)
      : element.tag === TAG.GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{4})$/.exec(text)
        : null;
  if (!match) throw new DerError(`${what}: not a UTCTime or GeneralizedTime in the X.509 form ('${text.replace(/[^\x20-\x7e]/g, "?")}')`);
  const [, y, mo, d, h, mi, s = "00", zone] = match;
  const year = element.tag === TAG.UTC_TIME ? (Number(y) >= 50 ? 1900 : 2000) + Number(y) : Number(y);
  const offset = zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  const fields = [Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)];
  const time = Date.UTC(year, fields[0], fields[1], fields[2], fields[3], fields[4]);
  const back = new Date(time);
  // Date.UTC rolls 31 February over to March: such a time does not exist.
  if (back.getUTCMonth() !== fields[0] || back.getUTCDate() !== fields[1] || back.getUTCHours() !== fields[2] || back.getUTCMinutes() !== fields[3] || back.getUTCSeconds() !== fields[4]) {
    throw new DerError(`${what}: '${text}' is not a real time`);
  }
  return new Date(time - offset * 60_000);
}

/** The text of an ASN.1 character string, or undefined when the tag is not one. */
export function readString(der: Buffer, element: DerElement): string | undefined {
  switch (element.tag) {
    case TAG.UTF8_STRING:
      return der.toString("utf8", element.contentStart, element.end);
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.VISIBLE_STRING:
    case 0x12: // NumericString
    case TAG.TELETEX_STRING: // T.61: latin1 is what every reader does in practice
      return der.toString("latin1", element.contentStart, element.end);
  }
  const bytes = contentOf(der, element);
  switch (element.tag) {
    case TAG.BMP_STRING:
      return bytes.length % 2 === 0 ? Buffer.from(bytes).swap16().toString("utf16le") : undefined;
    case TAG.UNIVERSAL_STRING: {
      if (bytes.length % 4 !== 0) return undefined;
      let text = "";
      for (let i = 0; i < bytes.length; i += 4) text += String.fromCodePoint(Math.min(bytes.readUInt32BE(i), 0x10ffff));
      return text;
    }
    default:
      return undefined;
  }
}
