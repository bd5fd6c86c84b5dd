import { describe, expect, it } from "vitest";
import { TlsDecodeError } from "../../../probe/errors";
import { HandshakeReassembler, parseCertificate12, parseCertificate13, parseServerHello } from "../../../probe/handshake-parser";
import { certificate12, certificate13, handshake, HRR_RANDOM, serverHello } from "./tls-wire";

const der = (n: number) => Buffer.alloc(20 + n, n);

describe("handshake messages", () => {
  it("joins a message split across records and splits several messages in one record", () => {
    const bytes = Buffer.concat([handshake(8, Buffer.from("one")), handshake(11, Buffer.alloc(300, 1)), handshake(20, Buffer.from("fin"))]);
    const reassembler = new HandshakeReassembler();
    const got = [bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9, 200), bytes.subarray(200)].flatMap((part) => reassembler.push(part));
    expect(got.map((m) => [m.type, m.body.length])).toEqual([
      [8, 3],
      [11, 300],
      [20, 3],
    ]);
  });

  it("reads the version (legacy field or supported_versions), cipher suite and HelloRetryRequest", () => {
    expect(parseServerHello(serverHello({ cipherSuite: 0xc02b }).subarray(4))).toEqual({ version: "TLSv1.2", cipherSuite: 0xc02b, helloRetryRequest: false });
    expect(parseServerHello(serverHello({ cipherSuite: 0x1302, tls13: true }).subarray(4))).toEqual({ version: "TLSv1.3", cipherSuite: 0x1302, helloRetryRequest: false });
    expect(parseServerHello(serverHello({ cipherSuite: 0x1301, tls13: true, random: HRR_RANDOM }).subarray(4)).helloRetryRequest).toBe(true);
  });

  it("reads TLS 1.2 and TLS 1.3 certificate lists in order, with the leaf's stapled OCSP response", () => {
    expect(parseCertificate12(certificate12(der(1), der(2), der(1)).subarray(4)).certificates).toEqual([der(1), der(2), der(1)]);
    const tls13 = parseCertificate13(certificate13([der(3), der(4)], Buffer.from("ocsp")).subarray(4));
    expect(tls13.certificates).toEqual([der(3), der(4)]);
    expect(tls13.ocspResponse?.toString()).toBe("ocsp");
    expect(parseCertificate13(certificate13([der(3)]).subarray(4)).ocspResponse).toBeUndefined();
  });

  it("says what is truncated", () => {
    const cut = certificate12(der(1), der(2)).subarray(4, 30);
    expect(() => parseCertificate12(cut)).toThrow(TlsDecodeError);
    expect(() => parseCertificate12(cut)).toThrow(/certificate_list is truncated|Certificate is truncated/);
  });
});
