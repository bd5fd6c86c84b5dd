/**
 * X.500 distinguished names (RFC 5280 4.1.2.4): read from DER, compared for chaining and
 * for directoryName constraints, and written for people.
 *
 * Comparison follows RFC 5280 7.1 as OpenSSL does it, not byte equality as Go and webpki
 * do: attribute values that are strings compare after case folding and whitespace folding,
 * whatever string type encodes them; other values compare byte for byte. A looser match
 * only proposes a candidate issuer: the signature still decides.
 */
import { DerCursor, DerElement, TAG, readOid, readString, wholeOf } from "./der";

export interface NameAttribute {
  /** Dotted OID of the attribute type. */
  type: string;
  /** The value as text, when it is a string type. */
  text: string | undefined;
  /** The value's DER (tag included), for values that are not strings. */
  value?: Buffer;
}

export const OID_COMMON_NAME = "2.5.4.3";
export const OID_EMAIL_ADDRESS = "1.2.840.113549.1.9.1";

// Short names as @peculiar/x509 printed them before: the JSON outputs keep their subjects.
const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "0.9.2342.19200300.100.1.25": "DC",
  [OID_EMAIL_ADDRESS]: "E",
  "2.5.4.42": "G",
  "2.5.4.43": "I",
  "2.5.4.4": "SN",
  "2.5.4.12": "T",
};

export class DistinguishedName {
  private keyMemo: string | undefined;
  private rdnKeysMemo: string[] | undefined;

  constructor(
    /** Relative distinguished names in encoding order; each a set of attributes. */
    readonly rdns: NameAttribute[][],
  ) {}

  get isEmpty(): boolean {
    return this.rdns.length === 0;
  }

  /** One comparison key per RDN (its attributes folded and sorted). */
  get rdnKeys(): string[] {
    return (this.rdnKeysMemo ??= this.rdns.map((rdn) => rdn.map(attributeKey).sort().join("\u0001")));
  }

  /** Equal for names that match under RFC 5280 7.1 (as approximated above). */
  get key(): string {
    return (this.keyMemo ??= this.rdnKeys.join("\u0000"));
  }

  /** `other` is this name or lies below it (its first RDNs are this name's): directoryName constraints. */
  contains(other: DistinguishedName): boolean {
    return this.rdns.length <= other.rdns.length && this.rdnKeys.every((key, i) => key === other.rdnKeys[i]);
  }

  /** Texts of every attribute of `type`, in order. */
  values(type: string): string[] {
    return this.rdns.flatMap((rdn) => rdn.filter((a) => a.type === type && a.text !== undefined).map((a) => a.text as string));
  }

  /** "CN=example.test, O=Example": RFC 4514 escaping, attributes in encoding order. */
  toString(): string {
    return this.rdns.map((rdn) => rdn.map(attributeText).join("+")).join(", ");
  }
}

/** Reads a Name (SEQUENCE OF SET OF AttributeTypeAndValue). */
export function readName(der: Buffer, element: DerElement, what: string): DistinguishedName {
  const rdns: NameAttribute[][] = [];
  const sequence = DerCursor.inside(der, element, what);
  while (!sequence.done) {
    const set = DerCursor.inside(der, sequence.next(TAG.SET, "RDN"), what);
    const rdn: NameAttribute[] = [];
    while (!set.done) {
      const pair = DerCursor.inside(der, set.next(TAG.SEQUENCE, "attribute"), what);
      const type = readOid(der, pair.next(TAG.OID, "attribute type"), what);
      const valueElement = pair.next(undefined, "value");
      pair.finish();
      const text = readString(der, valueElement);
      rdn.push(text === undefined ? { type, text, value: wholeOf(der, valueElement) } : { type, text });
    }
    rdns.push(rdn);
  }
  return new DistinguishedName(rdns);
}

function attributeKey(attribute: NameAttribute): string {
  const value = attribute.text === undefined ? `#${attribute.value?.toString("hex")}` : foldText(attribute.text);
  return `${attribute.type}=${value}`;
}

/** RFC 4518 in short: compatibility forms, case, and runs of white space folded. */
function foldText(text: string): string {
  // NFKC only matters beyond ASCII; most names are ASCII, and normalize() is not free.
  const composed = /[^\x00-\x7f]/.test(text) ? text.normalize("NFKC") : text;
  return composed.toLowerCase().replace(/\s+/g, " ").trim();
}

function attributeText(attribute: NameAttribute): string {
  const type = SHORT_NAMES[attribute.type] ?? attribute.type;
  return `${type}=${attribute.text === undefined ? `#${attribute.value?.toString("hex")}` : escapeValue(attribute.text)}`;
}

// RFC 4514 2.4, and control characters as \XX so that a name can never steer a terminal.
function escapeValue(text: string): string {
  return text
    .replace(/[,+"\\<>;]/g, "\\$&")
    .replace(/^[ #]/, "\\$&")
    .replace(/ $/, "\\ ")
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => [...Buffer.from(c, "utf8")].map((b) => `\\${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));
}
