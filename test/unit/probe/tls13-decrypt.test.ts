import { describe, expect, it } from "vitest";
import { TlsDecodeError, TlsUnsupportedError } from "../../../probe/errors";
import { hkdfExpandLabel, Tls13RecordDecrypter } from "../../../probe/tls13-decrypt";
import { splitRecords } from "../../../probe/tls-records";
import { Tls13Sealer } from "./tls-wire";

// RFC 8448 section 3 (Simple 1-RTT Handshake): the server handshake traffic secret and its key and IV.
const SERVER_HS_SECRET = Buffer.from("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", "hex");

describe("TLS 1.3 record protection", () => {
  it("derives the RFC 8448 server handshake key and IV with HKDF-Expand-Label", () => {
    expect(hkdfExpandLabel("sha256", SERVER_HS_SECRET, "key", Buffer.alloc(0), 16).toString("hex")).toBe("3fce516009c21727d0f2e4e86ee403bc");
    expect(hkdfExpandLabel("sha256", SERVER_HS_SECRET, "iv", Buffer.alloc(0), 12).toString("hex")).toBe("5d313eb2671276ee13000b30");
  });

  it("expands past one hash block (48 bytes from SHA-256)", () => {
    const long = hkdfExpandLabel("sha256", SERVER_HS_SECRET, "key", Buffer.alloc(0), 48);
    expect(long).toHaveLength(48);
    expect(long.subarray(0, 16).equals(hkdfExpandLabel("sha256", SERVER_HS_SECRET, "key", Buffer.alloc(0), 16))).toBe(false);
  });

  it("decrypts successive records (per-record nonce), strips padding and returns the inner content type", () => {
    const sealer = new Tls13Sealer(SERVER_HS_SECRET);
    const bytes = Buffer.concat([sealer.seal(22, Buffer.from("first")), sealer.seal(22, Buffer.from("second"), 10), sealer.seal(21, Buffer.from([2, 40]))]);
    const decrypter = new Tls13RecordDecrypter(0x1301, SERVER_HS_SECRET);
    const inner = splitRecords(bytes).map((r) => decrypter.decrypt(r));
    expect(inner.map((i) => [i.type, i.content.toString("latin1")])).toEqual([
      [22, "first"],
      [22, "second"],
      [21, "\x02("],
    ]);
  });

  it("refuses a record that does not decrypt with the secret", () => {
    const sealed = new Tls13Sealer(SERVER_HS_SECRET).seal(22, Buffer.from("x"));
    const decrypter = new Tls13RecordDecrypter(0x1301, Buffer.alloc(32, 9));
    expect(() => decrypter.decrypt(splitRecords(sealed)[0])).toThrow(TlsDecodeError);
  });

  it("names a cipher suite it cannot read", () => {
    expect(() => new Tls13RecordDecrypter(0x1304, SERVER_HS_SECRET)).toThrow(TlsUnsupportedError);
    expect(() => new Tls13RecordDecrypter(0x1304, SERVER_HS_SECRET)).toThrow(/0x1304 is not supported/);
  });
});
