import { describe, expect, it } from "vitest";
import { readName } from "../../../chain/x500-name";
import { nameDer } from "../../../harness/x509-builder";
import { oid, printable, sequence, set, utf8 } from "../../../harness/der-writer";

const name = (der: Buffer) => readName(der, { tag: 0x30, start: 0, contentStart: der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2, end: der.length }, "name");

describe("distinguished names", () => {
  it("print as before (@peculiar/x509's form: encoding order, short names, RFC 4514 escapes)", () => {
    expect(name(nameDer("C=GB, O=Sectigo Limited, CN=Sectigo Public Server Authentication Root R46")).toString()).toBe(
      "C=GB, O=Sectigo Limited, CN=Sectigo Public Server Authentication Root R46",
    );
    const tricky = sequence(set(sequence(oid("2.5.4.3"), utf8("a,b+c \"q\" "))), set(sequence(oid("2.5.4.97"), utf8("#x"))));
    expect(name(tricky).toString()).toBe('CN=a\\,b\\+c \\"q\\"\\ , 2.5.4.97=\\#x');
  });

  it("escape control characters, so that a subject cannot steer a terminal", () => {
    const hostile = sequence(set(sequence(oid("2.5.4.3"), utf8("ok\u001b[2J\u0085fake"))));
    expect(name(hostile).toString()).toBe("CN=ok\\1B[2J\\C2\\85fake");
  });

  it("match under RFC 5280 7.1: case, runs of spaces and the string type do not matter; order and values do", () => {
    const a = name(sequence(set(sequence(oid("2.5.4.3"), printable("Example  CA")))));
    const b = name(sequence(set(sequence(oid("2.5.4.3"), utf8(" example ca ")))));
    expect(a.key).toBe(b.key);
    expect(name(nameDer("O=X, CN=Y")).key).not.toBe(name(nameDer("CN=Y, O=X")).key);
    expect(name(nameDer("CN=Example CA")).key).not.toBe(name(nameDer("CN=Example CA2")).key);
    expect(name(sequence()).isEmpty).toBe(true);
  });

  it("contain the names below them (directoryName constraints): RDN by RDN from the first", () => {
    const base = name(nameDer("C=GB, O=Example"));
    expect(base.contains(name(nameDer("C=GB, O=example, CN=www")))).toBe(true);
    expect(base.contains(name(nameDer("C=GB, O=Other, CN=www")))).toBe(false);
    expect(base.contains(name(nameDer("C=GB")))).toBe(false);
  });
});
