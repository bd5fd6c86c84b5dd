// PKCS#7 / CMS certificate bundles (.p7b, .p7c): the certificates of a SignedData, as the
// exact bytes the file holds (re-serialising parsed certificates could change their DER
// and so their fingerprints). Read with the DER reader: RFC 5652 5.1, the certificates
// field only; the rest of the SignedData is skipped element by element.
import { Certificate } from "./certificate";
import { DerCursor, DerError, TAG, contextTag, readOid, wholeOf } from "./der";
import { ChainsmithInputError } from "./errors";

const SIGNED_DATA = "1.2.840.113549.1.7.2";

/** The certificates of a PKCS#7 SignedData DER, in file order. */
export function certificatesFromPkcs7(der: Buffer, source: string): Certificate[] {
  let certificates: Buffer[];
  try {
    certificates = signedDataCertificates(der);
  } catch (e) {
    throw new ChainsmithInputError(
      "bad-pkcs7",
      `${source}: not a valid PKCS#7 certificate bundle (${(e as Error).message}). Export it again as .p7b, or as PEM certificates.`,
    );
  }
  if (certificates.length === 0) {
    throw new ChainsmithInputError("no-certificate", `${source}: the PKCS#7 bundle holds no certificates. Export it again with the certificates included.`);
  }
  return certificates.map((bytes, i) => Certificate.fromDer(bytes, `${source}, PKCS#7 certificate ${i + 1}`));
}

// ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT SignedData };
// SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo, certificates [0] IMPLICIT SET OF ... OPTIONAL, crls [1] OPTIONAL, signerInfos SET }.
function signedDataCertificates(der: Buffer): Buffer[] {
  const top = new DerCursor(der, 0, der.length, "ContentInfo");
  const info = DerCursor.inside(der, top.next(TAG.SEQUENCE, "ContentInfo"), "ContentInfo");
  top.finish();
  const type = readOid(der, info.next(TAG.OID, "contentType"), "contentType");
  if (type !== SIGNED_DATA) throw new DerError(`content type ${type} is not signedData`);
  const content = DerCursor.inside(der, info.next(contextTag(0, true), "content"), "content");
  info.finish();
  const signed = DerCursor.inside(der, content.next(TAG.SEQUENCE, "SignedData"), "SignedData");
  content.finish();
  signed.next(TAG.INTEGER, "version");
  signed.next(TAG.SET, "digestAlgorithms");
  signed.next(TAG.SEQUENCE, "encapContentInfo");
  const field = signed.optional(contextTag(0, true), "certificates");
  signed.optional(contextTag(1, true), "crls");
  signed.next(TAG.SET, "signerInfos");
  signed.finish();
  const certificates: Buffer[] = [];
  if (field) {
    const list = DerCursor.inside(der, field, "certificates");
    while (!list.done) certificates.push(wholeOf(der, list.next(undefined, "certificate")));
  }
  return certificates;
}
