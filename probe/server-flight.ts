import { TlsUnsupportedError } from "./errors";
import {
  HandshakeReassembler,
  HandshakeType,
  parseCertificate12,
  parseCertificate13,
  parseCertificateStatus,
  parseServerHello,
  type HandshakeMessage,
  type TlsVersionName,
} from "./handshake-parser";
import { Tls13RecordDecrypter } from "./tls13-decrypt";
import { ContentType, splitRecords } from "./tls-records";

/** A fatal alert the server sent instead of (or in the middle of) its handshake. */
export interface ServerAlert {
  level: number;
  description: number;
}

/** What the server sent in its first handshake flight, read from the raw bytes. */
export interface ServerFlight {
  version?: TlsVersionName;
  cipherSuite?: number;
  helloRetryRequest: boolean;
  /** DER certificates in wire order; undefined when no Certificate message was read. */
  certificates?: Buffer[];
  ocspResponse?: Buffer;
  alert?: ServerAlert;
  /** TLS 1.3 records were seen but no handshake secret was given to read them. */
  encryptedUnread: boolean;
  /** The flight ended (ServerHelloDone in TLS 1.2, Finished in TLS 1.3). */
  complete: boolean;
}

const FATAL = 2;

/**
 * Reads the server's handshake flight from the bytes it sent: plaintext in TLS 1.2, and in
 * TLS 1.3 the records after ServerHello decrypted with the server handshake traffic secret.
 * Stops at the end of the flight; later records (tickets, application data) are not read.
 */
export function readServerFlight(serverBytes: Buffer, serverHandshakeSecret?: Buffer): ServerFlight {
  const flight: ServerFlight = { helloRetryRequest: false, encryptedUnread: false, complete: false };
  let reassembler = new HandshakeReassembler();
  let decrypter: Tls13RecordDecrypter | undefined;
  let protectedPhase = false;

  const onMessage = (message: HandshakeMessage): void => {
    switch (message.type) {
      case HandshakeType.ServerHello: {
        const hello = parseServerHello(message.body);
        flight.version = hello.version;
        flight.cipherSuite = hello.cipherSuite;
        if (hello.helloRetryRequest) {
          flight.helloRetryRequest = true;
        } else if (hello.version === "TLSv1.3") {
          protectedPhase = true;
          if (serverHandshakeSecret) decrypter = new Tls13RecordDecrypter(hello.cipherSuite, serverHandshakeSecret);
          // RFC 8446 5.1: handshake messages never span a key change.
          reassembler = new HandshakeReassembler();
        }
        break;
      }
      case HandshakeType.Certificate:
        Object.assign(flight, flight.version === "TLSv1.3" ? parseCertificate13(message.body) : parseCertificate12(message.body));
        break;
      case HandshakeType.CompressedCertificate:
        throw new TlsUnsupportedError(
          "the server sent a compressed certificate (RFC 8879), which the probe never offers and cannot read",
        );
      case HandshakeType.CertificateStatus:
        flight.ocspResponse = parseCertificateStatus(message.body);
        break;
      case HandshakeType.ServerHelloDone:
      case HandshakeType.Finished:
        flight.complete = true;
        break;
    }
  };

  const onContent = (type: number, content: Buffer): void => {
    if (type === ContentType.Handshake) {
      for (const message of reassembler.push(content)) {
        onMessage(message);
        if (flight.complete) return;
      }
    } else if (type === ContentType.Alert && content.length >= 2) {
      // TLS 1.3 alerts are all fatal; in TLS 1.2 a warning (e.g. unrecognized_name) goes on.
      if (content[0] === FATAL || flight.version === "TLSv1.3") flight.alert = { level: content[0], description: content[1] };
    }
  };

  for (const record of splitRecords(serverBytes)) {
    if (protectedPhase && record.type === ContentType.ApplicationData) {
      if (!decrypter) {
        flight.encryptedUnread = true;
        break;
      }
      const inner = decrypter.decrypt(record);
      onContent(inner.type, inner.content);
    } else if (record.type === ContentType.Alert || (!flight.complete && record.type !== ContentType.ChangeCipherSpec)) {
      onContent(record.type, record.body);
    }
    if (flight.alert) break;
    // After a TLS 1.2 flight the server's next plaintext record may still be an alert (e.g.
    // for a missing client certificate); its ChangeCipherSpec ends what can be read.
    if (flight.complete && (flight.version === "TLSv1.3" || record.type === ContentType.ChangeCipherSpec)) break;
  }
  return flight;
}
