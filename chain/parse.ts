// Certificates from whatever a user has: PEM with any number of blocks and text around
// them, DER, PKCS#7 in PEM or DER. Anything else gets an error that says what it is
// (a key, a CSR, a PFX) and what to do with it.
import * as crypto from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { EncryptedPrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { Certificate } from "./certificate";
import { ChainsmithInputError } from "./errors";
import { assertCompleteDer, declaredDerLength, decodePemBlocks, inputText, looksLikePem } from "./pem";
import { certificatesFromPkcs7, isPkcs7, opensAsPkcs7 } from "./pkcs7";
import { isPfx } from "./pfx-asn1";
import { x509 } from "./x509";

/** What a DER blob or PEM block holds, as far as chainsmith cares. */
export type InputKind =
  | "certificate"
  | "pkcs7"
  | "pfx"
  | "private-key"
  | "encrypted-private-key"
  | "csr"
  | "public-key"
  | "crl"
  | "unknown";

const PEM_LABELS: Record<string, InputKind> = {
  CERTIFICATE: "certificate",
  "X509 CERTIFICATE": "certificate",
  "TRUSTED CERTIFICATE": "certificate",
  PKCS7: "pkcs7",
  CMS: "pkcs7",
  PKCS12: "pfx",
  "PRIVATE KEY": "private-key",
  "RSA PRIVATE KEY": "private-key",
  "EC PRIVATE KEY": "private-key",
  "ENCRYPTED PRIVATE KEY": "encrypted-private-key",
  "CERTIFICATE REQUEST": "csr",
  "NEW CERTIFICATE REQUEST": "csr",
  "PUBLIC KEY": "public-key",
  "RSA PUBLIC KEY": "public-key",
  "X509 CRL": "crl",
};

export function kindOfPemLabel(label: string): InputKind {
  return PEM_LABELS[label] ?? "unknown";
}

/** Recognises a DER blob by trying each structure; the first that parses wins. */
export function kindOfDer(der: Buffer): InputKind {
  if (parses(() => new crypto.X509Certificate(der))) return "certificate";
  if (isPkcs7(der)) return "pkcs7";
  if (isPfx(der)) return "pfx";
  if (parses(() => new x509.Pkcs10CertificateRequest(new Uint8Array(der)))) return "csr";
  for (const type of ["pkcs8", "pkcs1", "sec1"] as const) {
    if (parses(() => crypto.createPrivateKey({ key: der, format: "der", type }))) return "private-key";
  }
  if (parses(() => AsnConvert.parse(der, EncryptedPrivateKeyInfo))) return "encrypted-private-key";
  if (parses(() => crypto.createPublicKey({ key: der, format: "der", type: "spki" }))) return "public-key";
  return "unknown";
}

/** Says what to do when `kind` turns up where a certificate was expected. */
export function notACertificate(kind: InputKind, where: string): ChainsmithInputError {
  switch (kind) {
    case "private-key":
    case "encrypted-private-key":
      return new ChainsmithInputError(
        "key-not-certificate",
        `${where}: this is a private key, not a certificate. Give it as the key (CLI: --key) and the certificate here.`,
      );
    case "csr":
      return new ChainsmithInputError(
        "csr-not-certificate",
        `${where}: this is a certificate signing request (CSR), not a certificate. Submit it to your CA and use the certificate it issues.`,
      );
    case "pfx":
      return new ChainsmithInputError(
        "pfx-needs-password",
        `${where}: this is a PKCS#12 (PFX) file; it must be read with its password (readPfx; CLI: --leaf FILE.pfx --pfx-password-file FILE).`,
      );
    case "public-key":
      return new ChainsmithInputError("public-key-not-certificate", `${where}: this is a bare public key, not a certificate. Give the certificate instead.`);
    case "crl":
      return new ChainsmithInputError("crl-not-certificate", `${where}: this is a certificate revocation list, not a certificate.`);
    default:
      return new ChainsmithInputError(
        "not-a-certificate",
        `${where}: not a certificate in a format chainsmith reads (PEM, DER, PKCS#7 .p7b, PKCS#12 .pfx). Check the file.`,
      );
  }
}

/**
 * Every certificate in `input`, in input order (duplicates kept: a served chain may have
 * them). `source` names the input in errors, e.g. the file name.
 */
export function parseCertificates(input: Buffer | string, source: string): Certificate[] {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const text = inputText(bytes);
  if (text.trim().length === 0) {
    throw new ChainsmithInputError("empty-input", `${source}: the input is empty. Check the file name and that the file was written completely.`);
  }
  if (looksLikePem(text)) return certificatesFromPem(text, source);
  if (bytes[0] !== 0x30) {
    throw new ChainsmithInputError(
      "not-a-certificate",
      `${source}: found no PEM block ("-----BEGIN CERTIFICATE-----") and the data is not DER. Give PEM, DER, PKCS#7 (.p7b) or PKCS#12 (.pfx).`,
    );
  }
  assertCompleteDer(bytes, source);
  return certificatesFromDer(bytes, source);
}

function certificatesFromPem(text: string, source: string): Certificate[] {
  const certificates: Certificate[] = [];
  for (const block of decodePemBlocks(text, source)) {
    const where = `${source}, block ${block.index} (${block.label})`;
    const kind = kindOfPemLabel(block.label);
    if (kind === "certificate") certificates.push(Certificate.fromDer(firstElement(block.der), where));
    else if (kind === "pkcs7") certificates.push(...certificatesFromPkcs7(block.der, where));
    else throw notACertificate(kind, where);
  }
  return certificates;
}

function certificatesFromDer(der: Buffer, source: string): Certificate[] {
  const kind = kindOfDer(der);
  if (kind === "certificate") return [Certificate.fromDer(der, source)];
  if (kind === "pkcs7") return certificatesFromPkcs7(der, source);
  if (kind === "unknown") {
    // A .p7b damaged inside: say it is a broken PKCS#7, not what the certificate parser thinks.
    if (opensAsPkcs7(der)) return certificatesFromPkcs7(der, source);
    // Not recognisable as anything: report the certificate parser's own complaint.
    Certificate.fromDer(der, source);
  }
  throw notACertificate(kind, source);
}

// openssl's TRUSTED CERTIFICATE appends trust settings after the certificate.
function firstElement(der: Buffer): Buffer {
  const length = declaredDerLength(der);
  return length !== undefined && length < der.length ? der.subarray(0, length) : der;
}

function parses(attempt: () => unknown): boolean {
  try {
    attempt();
    return true;
  } catch {
    return false;
  }
}
