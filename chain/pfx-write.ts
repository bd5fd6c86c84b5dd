// Writes a PKCS#12 (.pfx) file in one of two profiles, laid out as OpenSSL does (encrypted
// certificate bags, then a shrouded key bag, tied by localKeyId):
//   modern: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and certificates, SHA-256 MAC.
//   legacy: pbeWithSHAAnd3-KeyTripleDES-CBC for key and certificates, SHA-1 MAC; what
//           Windows Server 2016 and Azure App Service accept.
import * as crypto from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { ContentEncryptionAlgorithmIdentifier, ContentInfo, EncryptedContent, EncryptedContentInfo, id_data, id_encryptedData } from "@peculiar/asn1-cms";
import { EncryptedPrivateKeyInfo, EncryptedData as EncryptedKeyData } from "@peculiar/asn1-pkcs8";
import { DigestInfo } from "@peculiar/asn1-rsa";
import {
  AuthenticatedSafe,
  CertBag,
  MacData,
  PFX,
  SafeBag,
  SafeContents,
  id_certBag,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
} from "@peculiar/asn1-pfx";
import { Certificate } from "./certificate";
import { ChainsmithInputError } from "./errors";
import { assertKeyMatchesLeaf } from "./key";
import { EncryptedData, friendlyNameAttribute, localKeyIdAttribute } from "./pfx-asn1";
import { PROFILE_MAC, type PfxProfile, encryptWithPassword, pkcs12Mac } from "./pkcs12-pbe";

export type { PfxProfile } from "./pkcs12-pbe";

export interface PfxOptions {
  /** "modern" (AES-256, SHA-256 MAC) or "legacy" (3DES, SHA-1 MAC) for Windows Server 2016 and Azure App Service. */
  profile: PfxProfile;
  /** The name Windows shows for the certificate (certificate and key bags). */
  friendlyName?: string;
  /** Source of the salts and IVs (default crypto.randomBytes); a deterministic one makes the same file for the same inputs. */
  randomBytes?: (size: number) => Buffer;
}

/**
 * A PFX holding `certificates` (leaf first, then any intermediates to carry) and the
 * leaf's private key, protected by `password`. Refuses a key that does not match the leaf.
 */
export function writePfx(certificates: Certificate[], key: crypto.KeyObject, password: string, options: PfxOptions): Buffer {
  const leaf = certificates[0];
  if (!leaf) throw new ChainsmithInputError("empty-chain", "A PFX needs at least the leaf certificate.");
  if (key.type !== "private") throw new ChainsmithInputError("not-a-key", "A PFX needs the private key; a public key was given.");
  assertKeyMatchesLeaf(key, leaf);

  // OpenSSL's convention: localKeyId is the SHA-1 of the leaf certificate.
  const leafAttributes = [localKeyIdAttribute(crypto.createHash("sha1").update(leaf.der).digest())];
  if (options.friendlyName !== undefined) leafAttributes.unshift(friendlyNameAttribute(options.friendlyName));

  const certificateBags = new SafeContents(
    certificates.map(
      (certificate, i) =>
        new SafeBag({
          bagId: id_certBag,
          bagValue: AsnConvert.serialize(new CertBag({ certId: id_x509Certificate, certValue: AsnConvert.serialize(new OctetString(certificate.der)) })),
          bagAttributes: i === 0 ? leafAttributes : undefined,
        }),
    ),
  );
  const pkcs8 = key.export({ type: "pkcs8", format: "der" });
  const random = options.randomBytes ?? crypto.randomBytes;
  const shroudedKey = encryptWithPassword(options.profile, pkcs8, password, random);
  const keyBags = new SafeContents([
    new SafeBag({
      bagId: id_pkcs8ShroudedKeyBag,
      bagValue: AsnConvert.serialize(
        new EncryptedPrivateKeyInfo({ encryptionAlgorithm: shroudedKey.algorithm, encryptedData: new EncryptedKeyData(shroudedKey.data) }),
      ),
      bagAttributes: leafAttributes,
    }),
  ]);

  const authenticatedSafe = new AuthenticatedSafe([
    encryptedContentInfo(Buffer.from(AsnConvert.serialize(certificateBags)), options.profile, password, random),
    dataContentInfo(Buffer.from(AsnConvert.serialize(keyBags))),
  ]);
  const authSafeBytes = Buffer.from(AsnConvert.serialize(authenticatedSafe));

  const mac = PROFILE_MAC[options.profile];
  const macSalt = random(8);
  const digest = pkcs12Mac(mac.hashOid, password, macSalt, mac.iterations, authSafeBytes, "new PFX");
  const pfx = new PFX({
    version: 3,
    authSafe: dataContentInfo(authSafeBytes),
    macData: new MacData({
      mac: new DigestInfo({ digestAlgorithm: new AlgorithmIdentifier({ algorithm: mac.hashOid, parameters: null }), digest: new OctetString(digest) }),
      macSalt: new OctetString(macSalt),
      iterations: mac.iterations,
    }),
  });
  return Buffer.from(AsnConvert.serialize(pfx));
}

function dataContentInfo(bytes: Buffer): ContentInfo {
  return new ContentInfo({ contentType: id_data, content: AsnConvert.serialize(new OctetString(bytes)) });
}

function encryptedContentInfo(plain: Buffer, profile: PfxProfile, password: string, random: (size: number) => Buffer): ContentInfo {
  const encrypted = encryptWithPassword(profile, plain, password, random);
  const data = new EncryptedData();
  data.encryptedContentInfo = new EncryptedContentInfo({
    contentType: id_data,
    contentEncryptionAlgorithm: new ContentEncryptionAlgorithmIdentifier(encrypted.algorithm),
    encryptedContent: new EncryptedContent({ value: new OctetString(encrypted.data) }),
  });
  return new ContentInfo({ contentType: id_encryptedData, content: AsnConvert.serialize(data) });
}
