/**
 * The one DER reading rule chainsmith needs outside full ASN.1 parsers: where an element's
 * content starts and where the element ends (definite lengths only, as DER requires).
 */
export interface DerElement {
  tag: number;
  /** Offset of the tag octet. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the element: header + declared content length. May exceed the buffer when it is cut. */
  end: number;
}

/** The element starting at `offset`, or undefined when no valid header is there. */
export function derElementAt(der: Uint8Array, offset = 0): DerElement | undefined {
  if (der.length < offset + 2) return undefined;
  const tag = der[offset];
  const first = der[offset + 1];
  if (first < 0x80) return { tag, start: offset, contentStart: offset + 2, end: offset + 2 + first };
  const octets = first & 0x7f;
  if (octets === 0 || octets > 4 || der.length < offset + 2 + octets) return undefined;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + der[offset + 2 + i];
  const contentStart = offset + 2 + octets;
  return { tag, start: offset, contentStart, end: contentStart + length };
}

/** The element at `offset` when it lies wholly within `der` (and has `tag`, when given). */
export function derElementWithin(der: Uint8Array, offset: number, tag?: number): DerElement | undefined {
  const found = derElementAt(der, offset);
  if (!found || found.end > der.length || (tag !== undefined && found.tag !== tag)) return undefined;
  return found;
}
