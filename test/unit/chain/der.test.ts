import { describe, expect, it } from "vitest";
import { DerCursor, DerError, TAG, readBitString, readBoolean, readElement, readIntegerBytes, readOid, readSmallInteger, readTime } from "../../../chain/der";

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ""), "hex");
const one = (bytes: Buffer) => readElement(bytes, 0, bytes.length, "test");

describe("strict DER reading (as Go's cryptobyte)", () => {
  it("reads short and long definite lengths, and refuses indefinite, non-minimal and overlong ones", () => {
    expect(one(hex("3003 020101"))).toEqual({ tag: 0x30, start: 0, contentStart: 2, end: 5 });
    const long = Buffer.concat([hex("0481 80"), Buffer.alloc(0x80)]);
    expect(one(long).contentStart).toBe(3);
    expect(() => one(hex("3080 020101 0000"))).toThrow(/indefinite length/);
    expect(() => one(hex("3081 03 020101"))).toThrow(/shortest form/);
    expect(() => one(hex("3082 0003 020101"))).toThrow(/shortest form/);
    expect(() => one(hex("3005 020101"))).toThrow(/runs past its end \(2 bytes missing\)/);
    expect(() => one(hex("30"))).toThrow(DerError);
  });

  it("names where it failed: the structure and the field", () => {
    const cursor = new DerCursor(hex("0101ff"), 0, 3, "basicConstraints");
    expect(() => cursor.next(TAG.INTEGER, "pathLenConstraint")).toThrow("basicConstraints, pathLenConstraint: expected tag 0x02, found 0x01");
    const done = new DerCursor(hex("0101ff 0500"), 0, 5, "extension");
    done.next(TAG.BOOLEAN);
    expect(() => done.finish()).toThrow("extension: 2 unexpected bytes after the last field");
  });

  it("accepts only 0x00 and 0xFF as BOOLEAN", () => {
    expect(readBoolean(hex("0101ff"), one(hex("0101ff")), "b")).toBe(true);
    expect(readBoolean(hex("010100"), one(hex("010100")), "b")).toBe(false);
    expect(() => readBoolean(hex("010101"), one(hex("010101")), "cA")).toThrow("cA: BOOLEAN must be 0x00 or 0xFF in DER");
  });

  it("reads OBJECT IDENTIFIERs and refuses padded sub-identifiers", () => {
    const oid = hex("06092a864886f70d01010b");
    expect(readOid(oid, one(oid), "oid")).toBe("1.2.840.113549.1.1.11");
    const big = hex("0603 883703");
    expect(readOid(big, one(big), "oid")).toBe("2.999.3");
    expect(() => readOid(hex("0603 2a8001"), one(hex("0603 2a8001")), "oid")).toThrow(/shortest form/);
    expect(() => readOid(hex("0602 2a86"), one(hex("0602 2a86")), "oid")).toThrow(/malformed/);
  });

  it("refuses INTEGERs not in their shortest form, and bounds small ones", () => {
    expect(readSmallInteger(hex("020100"), one(hex("020100")), "n")).toBe(0);
    expect(readSmallInteger(hex("020200ff"), one(hex("020200ff")), "n")).toBe(255);
    expect(() => readIntegerBytes(hex("02020001"), one(hex("02020001")), "serialNumber")).toThrow("serialNumber: INTEGER not in its shortest form");
    expect(() => readSmallInteger(hex("0201ff"), one(hex("0201ff")), "pathLen")).toThrow("pathLen: negative INTEGER");
    expect(() => readSmallInteger(hex("0206 010000000000"), one(hex("0206 010000000000")), "n")).toThrow(/too large/);
  });

  it("refuses BIT STRINGs whose padding bits are set", () => {
    expect(readBitString(hex("03020780"), one(hex("03020780")), "keyUsage").bits).toBe(1);
    expect(() => readBitString(hex("03020781"), one(hex("03020781")), "keyUsage")).toThrow("keyUsage: malformed BIT STRING");
    expect(() => readBitString(hex("030107"), one(hex("030107")), "keyUsage")).toThrow(/malformed/);
  });

  it("reads the X.509 times, and what Go also reads (no seconds, an offset); refuses dates that do not exist", () => {
    const time = (tag: number, text: string) => {
      const bytes = Buffer.concat([Buffer.from([tag, text.length]), Buffer.from(text)]);
      return readTime(bytes, one(bytes), "notAfter");
    };
    expect(time(TAG.UTC_TIME, "491231235959Z").toISOString()).toBe("2049-12-31T23:59:59.000Z");
    expect(time(TAG.UTC_TIME, "500101000000Z").toISOString()).toBe("1950-01-01T00:00:00.000Z");
    expect(time(TAG.GENERALIZED_TIME, "20500101000000Z").toISOString()).toBe("2050-01-01T00:00:00.000Z");
    expect(time(TAG.UTC_TIME, "2601011200Z").toISOString()).toBe("2026-01-01T12:00:00.000Z");
    expect(time(TAG.UTC_TIME, "260101120000+0100").toISOString()).toBe("2026-01-01T11:00:00.000Z");
    expect(() => time(TAG.UTC_TIME, "260231000000Z")).toThrow(/not a real time/);
    expect(() => time(TAG.GENERALIZED_TIME, "20260101000000.5Z")).toThrow(/not a UTCTime or GeneralizedTime/);
  });
});
