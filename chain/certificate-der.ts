/**
 * The structure of a DER certificate (RFC 5280 4.1), read by chainsmith itself: strict where
 * Go's parser is, so that identity, names and extensions never depend on a second parser's
 * leniency, and a certificate Go parses parses here too. Extensions are kept raw here and
 * decoded on first use (chain/extensions), since path building over a trust store touches
 * only a few of them.
 */
import { SignatureAlgorithm, readAlgorithm } from "./algorithms";
import { DerCursor, DerElement, DerError, TAG, contentOf, contextTag, readBitString, readIntegerBytes, readSmallInteger, readTime } from "./der";
import { Defect, Extension, readExtensions } from "./extensions";
import { DistinguishedName, readName } from "./x500-name";

/** Where a certificate's parts lie in its DER (slicing is left to first use: it costs more than reading). */
export interface CertificateStructure {
  /** 1, 2 or 3. */
  version: number;
  /** The serialNumber INTEGER. */
  serial: DerElement;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  /** The SubjectPublicKeyInfo. */
  spki: DerElement;
  /** The [3] extensions field, read on first use (readExtensionsField). */
  extensions: DerElement | undefined;
  /** The signed TBSCertificate, header included. */
  tbs: DerElement;
  /** The outer signatureAlgorithm (the one the signature is checked with). */
  signatureAlgorithm: SignatureAlgorithm;
  /** The signatureValue's bits: [start, end) of the DER. */
  signature: { start: number; end: number };
  /** Rule breaks in the structure itself, which keep the certificate off every path. */
  defects: Defect[];
}

/** Reads a whole certificate; throws DerError when the bytes are not one (trailing bytes included). */
export function readCertificate(der: Buffer): CertificateStructure {
  const top = new DerCursor(der, 0, der.length, "certificate");
  const certificate = DerCursor.inside(der, top.next(TAG.SEQUENCE, "Certificate"), "certificate");
  top.finish();
  const tbsElement = certificate.next(TAG.SEQUENCE, "tbsCertificate");
  const outerAlgorithm = certificate.next(TAG.SEQUENCE, "signatureAlgorithm");
  const signatureAlgorithm = readAlgorithm(der, outerAlgorithm, "signatureAlgorithm");
  const signatureElement = certificate.next(TAG.BIT_STRING, "signatureValue");
  const signature = readBitString(der, signatureElement, "signatureValue");
  certificate.finish();
  if (signature.bits % 8 !== 0) throw new DerError("signatureValue: not a whole number of octets");

  const tbs = DerCursor.inside(der, tbsElement, "tbsCertificate");
  const versionField = tbs.optional(contextTag(0, true), "version");
  let version = 1;
  if (versionField) {
    const inner = DerCursor.inside(der, versionField, "version");
    version = readSmallInteger(der, inner.next(TAG.INTEGER), "version") + 1;
    inner.finish();
    if (version > 3) throw new DerError(`version: v${version} does not exist (v1, v2 or v3)`);
  }
  const serial = tbs.next(TAG.INTEGER, "serialNumber");
  readIntegerBytes(der, serial, "serialNumber");
  const innerAlgorithm = tbs.next(TAG.SEQUENCE, "signature");
  readAlgorithm(der, innerAlgorithm, "signature");
  const issuer = readName(der, tbs.next(TAG.SEQUENCE, "issuer"), "issuer");
  const validity = DerCursor.inside(der, tbs.next(TAG.SEQUENCE, "validity"), "validity");
  const notBefore = readTime(der, validity.next(undefined, "notBefore"), "notBefore");
  const notAfter = readTime(der, validity.next(undefined, "notAfter"), "notAfter");
  validity.finish();
  const subject = readName(der, tbs.next(TAG.SEQUENCE, "subject"), "subject");
  const spkiElement = tbs.next(TAG.SEQUENCE, "subjectPublicKeyInfo");
  const spkiFields = DerCursor.inside(der, spkiElement, "subjectPublicKeyInfo");
  spkiFields.next(TAG.SEQUENCE, "algorithm");
  readBitString(der, spkiFields.next(TAG.BIT_STRING, "subjectPublicKey"), "subjectPublicKey");
  spkiFields.finish();
  const issuerUniqueId = tbs.optional(contextTag(1), "issuerUniqueID");
  const subjectUniqueId = tbs.optional(contextTag(2), "subjectUniqueID");
  const extensionsField = tbs.optional(contextTag(3, true), "extensions");
  tbs.finish();

  const defects: Defect[] = [];
  const malformed = (reason: string) => defects.push({ code: "malformed-certificate", reason });
  if (der.compare(der, innerAlgorithm.start, innerAlgorithm.end, outerAlgorithm.start, outerAlgorithm.end) !== 0) {
    malformed("names one signature algorithm inside the signed part and another outside (RFC 5280 4.1.1.2)");
  }
  if (der[serial.contentStart] & 0x80) malformed("has a negative serial number (RFC 5280 4.1.2.2)");
  if ((issuerUniqueId || subjectUniqueId) && version < 2) malformed("has unique identifiers in a v1 certificate");
  if (extensionsField && version < 3) malformed(`has extensions in a v${version} certificate (extensions need v3)`);
  return {
    version,
    serial,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: spkiElement,
    extensions: extensionsField,
    tbs: tbsElement,
    signatureAlgorithm,
    signature: { start: signatureElement.contentStart + 1, end: signatureElement.end },
    defects,
  };
}

/** The extensions of a certificate's [3] field (as readCertificate found it); throws DerError when malformed. */
export function readExtensionsField(der: Buffer, field: DerElement | undefined): Extension[] {
  if (!field) return [];
  const inner = DerCursor.inside(der, field, "extensions");
  const extensions = readExtensions(der, inner.next(TAG.SEQUENCE, "Extensions"));
  inner.finish();
  return extensions;
}

/** The content of the SPKI's subjectPublicKey BIT STRING (the key itself). */
export function subjectPublicKeyBits(spki: Buffer): Buffer {
  const fields = DerCursor.inside(spki, new DerCursor(spki, 0, spki.length, "subjectPublicKeyInfo").next(TAG.SEQUENCE), "subjectPublicKeyInfo");
  fields.next(TAG.SEQUENCE);
  return contentOf(spki, fields.next(TAG.BIT_STRING)).subarray(1);
}
