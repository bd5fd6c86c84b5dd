import { describe, expect, it } from "vitest";
import { NotTlsError, TlsUnsupportedError } from "../../../probe/errors";
import { readServerFlight } from "../../../probe/server-flight";
import { certificate12, certificate13, handshake, HRR_RANDOM, record, serverHello, Tls13Sealer, vector } from "./tls-wire";

const der = (n: number) => Buffer.alloc(20 + n, n);
const SECRET = Buffer.alloc(32, 5);
const changeCipherSpec = record(20, Buffer.from([1]));

describe("reading a server's first flight", () => {
  it("TLS 1.2: certificates in order, stapled OCSP, complete at ServerHelloDone; later records unread", () => {
    const status = handshake(22, Buffer.concat([Buffer.from([1]), vector(3, Buffer.from("ocsp"))]));
    const bytes = Buffer.concat([
      record(22, Buffer.concat([serverHello({ cipherSuite: 0xc02f }), certificate12(der(1), der(2))])),
      record(22, Buffer.concat([status, handshake(14, Buffer.alloc(0))])),
      changeCipherSpec,
      record(22, Buffer.from("encrypted finished, never read")),
    ]);
    const flight = readServerFlight(bytes);
    expect(flight).toMatchObject({ version: "TLSv1.2", cipherSuite: 0xc02f, certificates: [der(1), der(2)], complete: true, helloRetryRequest: false });
    expect(flight.ocspResponse?.toString()).toBe("ocsp");
  });

  it("TLS 1.3 after a HelloRetryRequest: decrypts the flight with the handshake secret", () => {
    const sealer = new Tls13Sealer(SECRET);
    const bytes = Buffer.concat([
      record(22, serverHello({ cipherSuite: 0x1301, tls13: true, random: HRR_RANDOM })),
      changeCipherSpec,
      record(22, serverHello({ cipherSuite: 0x1301, tls13: true })),
      sealer.seal(22, handshake(8, vector(2))),
      sealer.seal(22, certificate13([der(1), der(2), der(3)], Buffer.from("staple"))),
      sealer.seal(22, Buffer.concat([handshake(15, Buffer.alloc(8)), handshake(20, Buffer.alloc(32))])),
    ]);
    const flight = readServerFlight(bytes, SECRET);
    expect(flight).toMatchObject({ version: "TLSv1.3", helloRetryRequest: true, certificates: [der(1), der(2), der(3)], complete: true });
    expect(flight.ocspResponse?.toString()).toBe("staple");
    const unread = readServerFlight(bytes);
    expect(unread.encryptedUnread).toBe(true);
    expect(unread.certificates).toBeUndefined();
  });

  it("a fatal alert stops the flight; a TLS 1.2 warning does not", () => {
    expect(readServerFlight(record(21, Buffer.from([2, 112]))).alert).toEqual({ level: 2, description: 112 });
    const warned = readServerFlight(Buffer.concat([record(21, Buffer.from([1, 112])), record(22, Buffer.concat([serverHello({ cipherSuite: 0xc02f }), certificate12(der(1))]))]));
    expect(warned.alert).toBeUndefined();
    expect(warned.certificates).toEqual([der(1)]);
  });

  it("TLS 1.2: a plaintext alert after the flight is read; nothing after the server's ChangeCipherSpec is", () => {
    const flight = Buffer.concat([record(22, Buffer.concat([serverHello({ cipherSuite: 0xc02f }), certificate12(der(1)), handshake(14, Buffer.alloc(0))]))]);
    expect(readServerFlight(Buffer.concat([flight, record(21, Buffer.from([2, 40]))]))).toMatchObject({ complete: true, alert: { level: 2, description: 40 } });
    expect(readServerFlight(Buffer.concat([flight, changeCipherSpec, record(21, Buffer.from("encrypted alert"))])).alert).toBeUndefined();
  });

  it("an encrypted TLS 1.3 alert is read with the handshake secret", () => {
    const sealer = new Tls13Sealer(SECRET);
    const bytes = Buffer.concat([record(22, serverHello({ cipherSuite: 0x1301, tls13: true })), sealer.seal(21, Buffer.from([2, 80]))]);
    expect(readServerFlight(bytes, SECRET).alert).toEqual({ level: 2, description: 80 });
  });

  it("a compressed certificate (RFC 8879) is a clear 'unsupported' error", () => {
    const sealer = new Tls13Sealer(SECRET);
    const bytes = Buffer.concat([record(22, serverHello({ cipherSuite: 0x1301, tls13: true })), sealer.seal(22, handshake(25, Buffer.alloc(16)))]);
    expect(() => readServerFlight(bytes, SECRET)).toThrow(TlsUnsupportedError);
    expect(() => readServerFlight(bytes, SECRET)).toThrow(/compressed certificate \(RFC 8879\)/);
  });

  it("bytes that are not TLS are named as such, with what came back", () => {
    const error = (() => {
      try {
        readServerFlight(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NotTlsError);
    expect((error as NotTlsError).firstBytes.toString()).toMatch(/^HTTP\/1\.1 400/);
    expect(() => readServerFlight(Buffer.from("SSH-"))).toThrow(NotTlsError);
  });
});
