/**
 * GeneralName (RFC 5280 4.2.1.6) as subjectAltName, nameConstraints, AKI and AIA carry
 * it. The forms that name constraints can check are decoded; the others (otherName,
 * x400Address, ediPartyName, registeredID) are kept by form only, as Go does: an otherName
 * in primitive form then reads like any other, and only a constraint on that form cares.
 */
import { DerCursor, DerElement, DerError, TAG, contentOf } from "./der";
import { DistinguishedName, readName } from "./x500-name";

export type OtherForm = "otherName" | "x400Address" | "ediPartyName" | "registeredID" | "unknown";

export type GeneralName =
  | { kind: "dns"; value: string }
  | { kind: "email"; value: string }
  | { kind: "uri"; value: string }
  /** 4 or 16 octets in a SAN; address and mask (8 or 32 octets) in a constraint. */
  | { kind: "ip"; bytes: Buffer }
  | { kind: "directory"; name: DistinguishedName }
  | { kind: "other"; form: OtherForm };

const OTHER_FORMS: Record<number, OtherForm> = { 0: "otherName", 3: "x400Address", 5: "ediPartyName", 8: "registeredID" };

/**
 * One GeneralName; IA5String forms must be ASCII. Like Go, a form in an unexpected encoding
 * (a constructed dNSName, a context tag past [8]) is kept as "unknown" rather than refused.
 */
export function readGeneralName(der: Buffer, element: DerElement, what: string): GeneralName {
  const number = element.tag & 0x1f;
  const constructed = (element.tag & 0x20) !== 0;
  if ((element.tag & 0xc0) !== 0x80) throw new DerError(`${what}: not a GeneralName (tag 0x${element.tag.toString(16)})`);
  if (number in OTHER_FORMS) return { kind: "other", form: OTHER_FORMS[number] };
  if (number === 4 && constructed) {
    const inner = DerCursor.inside(der, element, `${what}, directoryName`);
    const name = readName(der, inner.next(TAG.SEQUENCE, "Name"), `${what}, directoryName`);
    inner.finish();
    return { kind: "directory", name };
  }
  const kind = constructed ? undefined : number === 1 ? "email" : number === 2 ? "dns" : number === 6 ? "uri" : number === 7 ? "ip" : undefined;
  if (!kind) return { kind: "other", form: "unknown" };
  const bytes = contentOf(der, element);
  if (kind === "ip") return { kind, bytes };
  if (bytes.some((b) => b >= 0x80)) throw new DerError(`${what}: ${kind} name is not ASCII (IA5String)`);
  return { kind, value: bytes.toString("latin1") };
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, from the SEQUENCE's element. */
export function readGeneralNames(der: Buffer, element: DerElement, what: string): GeneralName[] {
  const cursor = DerCursor.inside(der, element, what);
  const names: GeneralName[] = [];
  while (!cursor.done) names.push(readGeneralName(der, cursor.next(undefined, "name"), what));
  if (names.length === 0) throw new DerError(`${what}: empty (at least one name is required)`);
  return names;
}

/** How a name prints: "dns:example.test", "ip:192.0.2.1", "email:a@example.test", "url:...". */
export function generalNameText(name: GeneralName): string {
  switch (name.kind) {
    case "dns":
    case "email":
      return `${name.kind}:${name.value}`;
    case "uri":
      return `url:${name.value}`;
    case "ip":
      return `ip:${ipText(name.bytes)}`;
    case "directory":
      return `dn:${name.name}`;
    case "other":
      return `${name.form}:`;
  }
}

/** Dotted IPv4 or RFC 5952-ish IPv6 (no zero compression); other lengths as hex. */
function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length === 16) return Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(2 * i).toString(16)).join(":");
  return bytes.toString("hex");
}
