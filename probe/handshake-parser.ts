import { ByteReader } from "./byte-reader";
import { TlsDecodeError } from "./errors";

/** Handshake message types a server sends (RFC 8446 section 4, RFC 5246, RFC 6066, RFC 8879). */
export enum HandshakeType {
  ServerHello = 2,
  EncryptedExtensions = 8,
  Certificate = 11,
  ServerHelloDone = 14,
  Finished = 20,
  CertificateStatus = 22,
  CompressedCertificate = 25,
}

export interface HandshakeMessage {
  type: number;
  body: Buffer;
}

/** Handshake messages may span records and records may hold several: this joins and splits them. */
export class HandshakeReassembler {
  private pending: Buffer = Buffer.alloc(0);

  push(fragment: Buffer): HandshakeMessage[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, fragment]) : fragment;
    const messages: HandshakeMessage[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readUIntBE(1, 3);
      if (this.pending.length < 4 + length) break;
      messages.push({ type: this.pending[0], body: this.pending.subarray(4, 4 + length) });
      this.pending = this.pending.subarray(4 + length);
    }
    return messages;
  }
}

export type TlsVersionName = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";

export interface ServerHello {
  version: TlsVersionName;
  /** IANA cipher suite number, e.g. 0x1301 for TLS_AES_128_GCM_SHA256. */
  cipherSuite: number;
  /** RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello with this fixed random. */
  helloRetryRequest: boolean;
}

const HELLO_RETRY_REQUEST_RANDOM = Buffer.from("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c", "hex");
const EXTENSION_STATUS_REQUEST = 5;
const EXTENSION_SUPPORTED_VERSIONS = 43;
const OCSP_STATUS_TYPE = 1;

const VERSION_NAMES: Record<number, TlsVersionName> = { 0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3" };

export function parseServerHello(body: Buffer): ServerHello {
  const reader = new ByteReader(body, "ServerHello");
  let version = reader.uint16();
  const random = reader.bytesOf(32);
  reader.vector(1); // legacy_session_id_echo
  const cipherSuite = reader.uint16();
  reader.uint8(); // legacy_compression_method
  if (reader.remaining > 0) {
    for (const extension of readExtensions(reader.vector(2), "ServerHello extensions")) {
      if (extension.type === EXTENSION_SUPPORTED_VERSIONS) version = new ByteReader(extension.data, "supported_versions").uint16();
    }
  }
  const name = VERSION_NAMES[version];
  if (!name) throw new TlsDecodeError(`ServerHello selects unknown protocol version 0x${version.toString(16)}`);
  return { version: name, cipherSuite, helloRetryRequest: random.equals(HELLO_RETRY_REQUEST_RANDOM) };
}

export interface CertificateMessage {
  /** DER certificates in the order the server sent them. */
  certificates: Buffer[];
  /** The stapled OCSP response carried in the leaf's status_request extension (TLS 1.3). */
  ocspResponse?: Buffer;
}

/** TLS 1.2 Certificate (RFC 5246 7.4.2): a list of DER certificates. */
export function parseCertificate12(body: Buffer): CertificateMessage {
  const list = new ByteReader(new ByteReader(body, "Certificate").vector(3), "certificate_list");
  const certificates: Buffer[] = [];
  while (list.remaining > 0) certificates.push(list.vector(3));
  return { certificates };
}

/** TLS 1.3 Certificate (RFC 8446 4.4.2): a context, then entries of DER and extensions. */
export function parseCertificate13(body: Buffer): CertificateMessage {
  const reader = new ByteReader(body, "Certificate");
  reader.vector(1); // certificate_request_context: empty from a server
  const list = new ByteReader(reader.vector(3), "certificate_list");
  const certificates: Buffer[] = [];
  let ocspResponse: Buffer | undefined;
  while (list.remaining > 0) {
    certificates.push(list.vector(3));
    for (const extension of readExtensions(list.vector(2), "CertificateEntry extensions")) {
      if (extension.type === EXTENSION_STATUS_REQUEST && certificates.length === 1) {
        ocspResponse = parseCertificateStatus(extension.data);
      }
    }
  }
  return { certificates, ocspResponse };
}

/** CertificateStatus (RFC 6066 section 8): the stapled OCSP response. */
export function parseCertificateStatus(body: Buffer): Buffer {
  const reader = new ByteReader(body, "CertificateStatus");
  const statusType = reader.uint8();
  if (statusType !== OCSP_STATUS_TYPE) throw new TlsDecodeError(`CertificateStatus has unknown status type ${statusType}`);
  return reader.vector(3);
}

interface Extension {
  type: number;
  data: Buffer;
}

function readExtensions(block: Buffer, what: string): Extension[] {
  const reader = new ByteReader(block, what);
  const extensions: Extension[] = [];
  while (reader.remaining > 0) extensions.push({ type: reader.uint16(), data: reader.vector(2) });
  return extensions;
}
