/**
 * What a DER blob or PEM block holds, as far as chainsmith cares, recognised by its outer
 * shape with the DER reader (and node:crypto for keys): no ASN.1 schema library is loaded
 * to tell a certificate from a key, so a command that reads only certificates stays quick
 * to start. The formats' own readers (pkcs7.ts, pfx-read.ts) check the rest.
 */
import * as crypto from "node:crypto";
import { readCertificate } from "./certificate-der";
import { DerCursor, DerElement, TAG, readOid, readSmallInteger } from "./der";
import { ChainsmithInputError } from "./errors";

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

/** Recognises a DER blob by trying each shape; the first that fits wins. */
export function kindOfDer(der: Buffer): InputKind {
  if (fits(() => readCertificate(der))) return "certificate";
  if (isPkcs7(der)) return "pkcs7";
  if (isPfx(der)) return "pfx";
  if (isCsr(der)) return "csr";
  for (const type of ["pkcs8", "pkcs1", "sec1"] as const) {
    if (fits(() => crypto.createPrivateKey({ key: der, format: "der", type }))) return "private-key";
  }
  if (isEncryptedPrivateKey(der)) return "encrypted-private-key";
  if (fits(() => crypto.createPublicKey({ key: der, format: "der", type: "spki" }))) return "public-key";
  return "unknown";
}

const SIGNED_DATA = "1.2.840.113549.1.7.2";
const DATA = "1.2.840.113549.1.7.1";

/** ContentInfo ::= SEQUENCE { contentType signedData, content [0] EXPLICIT ANY }: a .p7b. */
function isPkcs7(der: Buffer): boolean {
  return fits(() => {
    const info = fieldsOf(der);
    if (readOid(der, info.next(TAG.OID), "contentType") !== SIGNED_DATA) throw new Error("not signedData");
    info.next(0xa0);
    info.finish();
  });
}

/** The DER opens like a ContentInfo of SignedData (content type first), however damaged the rest. */
export function opensAsPkcs7(der: Buffer): boolean {
  const at = der.subarray(0, 16).indexOf(Buffer.from("06092a864886f70d010702", "hex"));
  return at >= 2 && at <= 6;
}

/** PFX ::= SEQUENCE { version 3, authSafe ContentInfo (data or signedData), macData OPTIONAL }. */
export function isPfx(der: Buffer): boolean {
  return fits(() => {
    const pfx = fieldsOf(der);
    if (readSmallInteger(der, pfx.next(TAG.INTEGER), "version") !== 3) throw new Error("not version 3");
    const authSafe = DerCursor.inside(der, pfx.next(TAG.SEQUENCE), "authSafe");
    const type = readOid(der, authSafe.next(TAG.OID), "contentType");
    if (type !== DATA && type !== SIGNED_DATA) throw new Error("not data");
  });
}

/** CertificationRequest ::= SEQUENCE { SEQUENCE { version 0, subject, subjectPKInfo, [0] attributes }, algorithm, signature }. */
function isCsr(der: Buffer): boolean {
  return fits(() => {
    const request = fieldsOf(der);
    const info = DerCursor.inside(der, request.next(TAG.SEQUENCE), "certificationRequestInfo");
    if (readSmallInteger(der, info.next(TAG.INTEGER), "version") !== 0) throw new Error("not version 0");
    info.next(TAG.SEQUENCE);
    info.next(TAG.SEQUENCE);
    info.next(0xa0);
    info.finish();
    request.next(TAG.SEQUENCE);
    request.next(TAG.BIT_STRING);
    request.finish();
  });
}

/** EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING }. */
function isEncryptedPrivateKey(der: Buffer): boolean {
  return fits(() => {
    const info = fieldsOf(der);
    DerCursor.inside(der, info.next(TAG.SEQUENCE), "encryptionAlgorithm").next(TAG.OID);
    info.next(TAG.OCTET_STRING);
    info.finish();
  });
}

/** The fields of the one SEQUENCE `der` is. */
function fieldsOf(der: Buffer): DerCursor {
  const top = new DerCursor(der, 0, der.length, "input");
  const outer: DerElement = top.next(TAG.SEQUENCE);
  top.finish();
  return DerCursor.inside(der, outer, "input");
}

function fits(attempt: () => unknown): boolean {
  try {
    attempt();
    return true;
  } catch {
    return false;
  }
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
