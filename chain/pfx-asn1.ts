// The PKCS#12 pieces @peculiar/asn1-pfx leaves out: the CMS EncryptedData that carries
// encrypted SafeContents, and the two bag attributes (friendlyName, localKeyId).
import { AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from "@peculiar/asn1-schema";
import { EncryptedContentInfo } from "@peculiar/asn1-cms";
import { PKCS12Attribute } from "@peculiar/asn1-pfx";

export const id_friendlyName = "1.2.840.113549.1.9.20";
export const id_localKeyId = "1.2.840.113549.1.9.21";

/** RFC 5652 EncryptedData (version 0, no unprotected attributes in PKCS#12). */
export class EncryptedData {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: EncryptedContentInfo }) encryptedContentInfo = new EncryptedContentInfo();
  @AsnProp({ type: AsnPropTypes.Any, context: 1, implicit: true, optional: true }) unprotectedAttrs?: ArrayBuffer;
}

@AsnType({ type: AsnTypeTypes.Choice })
class BmpText {
  @AsnProp({ type: AsnPropTypes.BmpString }) value = "";
}

export function friendlyNameAttribute(name: string): PKCS12Attribute {
  const text = new BmpText();
  text.value = name;
  return attribute(id_friendlyName, AsnConvert.serialize(text));
}

export function localKeyIdAttribute(id: Buffer): PKCS12Attribute {
  return attribute(id_localKeyId, AsnConvert.serialize(new OctetString(id)));
}

// PKCS12Attribute's constructor (asn1-pfx 2.11) drops its parameters; set the fields instead.
function attribute(attrId: string, value: ArrayBuffer): PKCS12Attribute {
  return Object.assign(new PKCS12Attribute(), { attrId, attrValues: [value] });
}

/** The friendlyName and localKeyId of a bag, when present. */
export function readBagAttributes(attributes: PKCS12Attribute[] | undefined): { friendlyName?: string; localKeyId?: string } {
  const result: { friendlyName?: string; localKeyId?: string } = {};
  for (const attribute of attributes ?? []) {
    const value = attribute.attrValues[0];
    if (!value) continue;
    if (attribute.attrId === id_friendlyName) result.friendlyName = AsnConvert.parse(value, BmpText).value;
    if (attribute.attrId === id_localKeyId) result.localKeyId = Buffer.from(AsnConvert.parse(value, OctetString).buffer).toString("hex");
  }
  return result;
}
