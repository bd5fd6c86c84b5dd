// PKCS#7 / CMS certificate bundles (.p7b, .p7c): the certificates of a SignedData, as the
// exact bytes the file holds. Re-serialising parsed certificates could change their DER
// and so their fingerprints; a schema that keeps each certificate as raw ANY avoids that.
import { AsnArray, AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from "@peculiar/asn1-schema";
import { ContentInfo, id_signedData } from "@peculiar/asn1-cms";
import { Certificate } from "./certificate";
import { ChainsmithInputError } from "./errors";

@AsnType({ type: AsnTypeTypes.Set, itemType: AsnPropTypes.Any })
class RawElementSet extends AsnArray<ArrayBuffer> {}

/** RFC 5652 SignedData with every field but the certificates left undecoded. */
class SignedDataCertificates {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: AsnPropTypes.Any }) digestAlgorithms = new ArrayBuffer(0);
  @AsnProp({ type: AsnPropTypes.Any }) encapContentInfo = new ArrayBuffer(0);
  @AsnProp({ type: RawElementSet, context: 0, implicit: true, optional: true }) certificates?: RawElementSet;
  @AsnProp({ type: AsnPropTypes.Any, context: 1, implicit: true, optional: true }) crls?: ArrayBuffer;
  @AsnProp({ type: AsnPropTypes.Any }) signerInfos = new ArrayBuffer(0);
}

/** The DER is a CMS ContentInfo holding SignedData (a .p7b). */
export function isPkcs7(der: Buffer): boolean {
  try {
    return AsnConvert.parse(der, ContentInfo).contentType === id_signedData;
  } catch {
    return false;
  }
}

const SIGNED_DATA_OID = Buffer.from("06092a864886f70d010702", "hex");

/** The DER opens like a ContentInfo of SignedData (content type first), however damaged the rest. */
export function opensAsPkcs7(der: Buffer): boolean {
  const at = der.subarray(0, 16).indexOf(SIGNED_DATA_OID);
  return at >= 2 && at <= 6;
}

/** The certificates of a PKCS#7 SignedData DER, in file order. */
export function certificatesFromPkcs7(der: Buffer, source: string): Certificate[] {
  let signed: SignedDataCertificates;
  try {
    const info = AsnConvert.parse(der, ContentInfo);
    if (info.contentType !== id_signedData) throw new Error(`content type ${info.contentType} is not signedData`);
    signed = AsnConvert.parse(info.content, SignedDataCertificates);
  } catch (e) {
    throw new ChainsmithInputError(
      "bad-pkcs7",
      `${source}: not a valid PKCS#7 certificate bundle (${(e as Error).message}). Export it again as .p7b, or as PEM certificates.`,
    );
  }
  const raw = [...(signed.certificates ?? [])];
  if (raw.length === 0) {
    throw new ChainsmithInputError("no-certificate", `${source}: the PKCS#7 bundle holds no certificates. Export it again with the certificates included.`);
  }
  return raw.map((bytes, i) => Certificate.fromDer(Buffer.from(bytes), `${source}, PKCS#7 certificate ${i + 1}`));
}
