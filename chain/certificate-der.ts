/**
 * The parts of a DER certificate that signature screening needs, found by walking the
 * outer structure (RFC 5280 4.1) without a full ASN.1 parse: a pool of thousands of
 * decoys is screened faster than a parser can read it.
 */
import { derElementWithin as element } from "./der";

export interface CertificateParts {
  /** The signed TBSCertificate, header included. */
  tbs: Buffer;
  /** Content octets of the outer signatureAlgorithm's OID. */
  signatureAlgorithmOid: string;
  /** The signatureValue BIT STRING's bits (the unused-bits octet removed). */
  signature: Buffer;
}

/** The parts, or undefined when the bytes do not have a certificate's shape. */
export function certificateParts(der: Buffer): CertificateParts | undefined {
  const cert = element(der, 0, 0x30);
  const tbs = cert && element(der, cert.contentStart, 0x30);
  const algorithm = tbs && element(der, tbs.end, 0x30);
  const oid = algorithm && element(der, algorithm.contentStart, 0x06);
  const bits = algorithm && element(der, algorithm.end, 0x03);
  if (!cert || !tbs || !oid || !bits || der[bits.contentStart] !== 0) return undefined;
  return {
    tbs: der.subarray(cert.contentStart, tbs.end),
    signatureAlgorithmOid: der.subarray(oid.contentStart, oid.end).toString("hex"),
    signature: der.subarray(bits.contentStart + 1, bits.end),
  };
}

/** The SubjectPublicKeyInfo alone (header included), or undefined when not found. */
export function subjectPublicKeyInfo(der: Buffer): Buffer | undefined {
  const cert = element(der, 0, 0x30);
  const tbs = cert && element(der, cert.contentStart, 0x30);
  if (!tbs) return undefined;
  // TBSCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo.
  let field = element(der, tbs.contentStart);
  if (field?.tag === 0xa0) field = element(der, field.end);
  for (let skip = 0; skip < 5 && field; skip++) field = element(der, field.end);
  return field?.tag === 0x30 ? der.subarray(field.start, field.end) : undefined;
}
