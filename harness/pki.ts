/**
 * A PKI builder for tests: every scenario from the field in a few readable lines.
 *
 *   const pki = new Pki();
 *   const aaa = await pki.root("AAA Certificate Services");
 *   const r46 = await pki.root("Sectigo Public Server Authentication Root R46");
 *   const r46ByAaa = await pki.crossSign(r46, aaa);      // same subject and key, other issuer
 *   const ca = await pki.intermediate("Sectigo DV R36", r46);
 *   const leaf = await pki.leaf("example.test", ca);
 *
 * Keys are made with node:crypto and cached per name, so a cross-sign reuses its subject's key;
 * certificates are written field by field (x509-builder.ts), so any of them can break a rule.
 */
import * as crypto from "node:crypto";
import { Certificate } from "../chain/certificate";
import { element, oid, sequence } from "./der-writer";
import { ExtensionSpec, GeneralNameSpec, HashName, NameSpec, SignatureKind, certificateDer, extension, keyIdentifier, signer } from "./x509-builder";

export type KeyType =
  | "rsa"
  | "rsa-4096"
  | "rsa-pss"
  | "ec-p256"
  | "ec-p384"
  | "ec-p521"
  | "ed25519"
  | "ed448"
  /** Weak or refused keys, for the algorithm policy's tests. */
  | "rsa-1024"
  | "dsa"
  | "ec-p192"
  | "ec-p224"
  /** A P-256 key written with explicit curve parameters instead of the curve's name. */
  | "ec-p256-explicit";

export interface KeyMaterial {
  type: KeyType;
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
}

/** A certificate the builder made, with the key that belongs to its subject. */
export interface Issued {
  name: string;
  /** The subject as the builder wrote it, for the certificates it issues (the printed subject escapes what RFC 4514 requires). */
  subjectName: NameSpec;
  cert: Certificate;
  key: KeyMaterial;
  /** PEM of the certificate. */
  pem: string;
  /** PKCS#8 PEM of the subject's private key. */
  keyPem: string;
}

/** @peculiar/x509's KeyUsageFlags bit values, which the builder also takes. */
const KEY_USAGE_FLAGS = ["digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"];

export const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
export const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
export const EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
export const ANY_EKU = "2.5.29.37.0";

export interface CertOptions {
  keyType?: KeyType;
  notBefore?: Date;
  notAfter?: Date;
  /** basicConstraints pathLenConstraint. */
  pathLen?: number;
  /** Override CA flag (e.g. a CA certificate used as a leaf). */
  ca?: boolean;
  /** Leave basicConstraints out altogether. */
  omitBasicConstraints?: boolean;
  /** Override key usage (names, or @peculiar/x509 KeyUsageFlags bits); null leaves the extension out. */
  keyUsage?: string[] | number | null;
  /** Extended key usage OIDs; default serverAuth on leaves, none on CAs; null leaves it out. */
  extendedKeyUsage?: string[] | null;
  /** Hash of the issuer's signature (SHA-1 or MD5 for the weak-signature rules). */
  signatureHash?: HashName;
  /** Write this hash in the TBS's algorithm identifier but sign with signatureHash (inner/outer mismatch). */
  innerSignatureHash?: HashName;
  /** Leave out SKI and AKI (path building must not depend on them). */
  omitKeyIds?: boolean;
  /** Reuse another certificate's key (Let's Encrypt X1/X3 share a key). */
  sameKeyAs?: Issued;
  /** Extra subject attributes, e.g. "O=Sectigo Limited, C=GB". */
  subjectSuffix?: string;
  /** The whole subject instead of "CN=<name>": "" is the empty subject. */
  subject?: NameSpec;
  /** The issuer field instead of the issuer's subject. */
  issuerName?: NameSpec;
  /** The serial's INTEGER content octets in hex, as written ("ff01" is negative). */
  serialNumber?: string;
  /** Leaf DNS names; defaults to the leaf's name. */
  dnsNames?: string[];
  /** Subject alternative names of any form, instead of dnsNames; [] leaves the extension out. */
  altNames?: GeneralNameSpec[];
  sanCritical?: boolean;
  nameConstraints?: { permitted?: GeneralNameSpec[]; excluded?: GeneralNameSpec[]; critical?: boolean };
  /** The caIssuers URL of an Authority Information Access extension. */
  caIssuersUrl?: string;
  /** More extensions, written after the usual ones. */
  extensions?: ExtensionSpec[];
  /** 1 writes a v1 certificate: no version field, no extensions. */
  version?: 1 | 3;
}

const DAY = 24 * 3600 * 1000;

export class Pki {
  private serial = 1;
  private readonly keys = new Map<string, KeyMaterial>();
  /** The time certificates are made valid around (default: now). */
  readonly now: Date;

  constructor(options: { now?: Date } = {}) {
    this.now = options.now ?? new Date();
  }

  /** A self-signed CA. */
  root(cn: string, options: CertOptions = {}): Promise<Issued> {
    return this.make(cn, undefined, { ca: true, ...options });
  }

  /** A CA certificate for `cn` signed by `issuer`. */
  intermediate(cn: string, issuer: Issued, options: CertOptions = {}): Promise<Issued> {
    return this.make(cn, issuer, { ca: true, ...options });
  }

  /** The same subject and key as `subject`, signed by `by`: a cross-sign. */
  crossSign(subject: Issued, by: Issued, options: CertOptions = {}): Promise<Issued> {
    return this.make(subject.name, by, {
      ca: true,
      pathLen: subject.cert.pathLen,
      sameKeyAs: subject,
      subject: subject.subjectName,
      ...options,
    });
  }

  /** An end-entity certificate for a DNS name. */
  leaf(dnsName: string, issuer: Issued, options: CertOptions = {}): Promise<Issued> {
    return this.make(dnsName, issuer, { ca: false, ...options });
  }

  /** A self-signed end-entity certificate. */
  selfSignedLeaf(dnsName: string, options: CertOptions = {}): Promise<Issued> {
    return this.make(dnsName, undefined, { ca: false, ...options });
  }

  /**
   * A certificate that names `claimedIssuer` as its issuer but is signed by an unrelated
   * key: the right names, the wrong signature. Decoys share one key to stay fast.
   */
  async decoy(cn: string, claimedIssuer: Issued, options: CertOptions = {}): Promise<Issued> {
    const impostor = this.keyFor("decoy-signer", "ec-p256");
    return this.make(cn, { ...claimedIssuer, key: impostor }, { ca: true, keyType: "ec-p256", ...options });
  }

  private keyFor(name: string, type: Exclude<KeyType, "rsa-4096">): KeyMaterial {
    const cacheKey = `${name}|${type}`;
    let key = this.keys.get(cacheKey);
    if (!key) {
      key = generateKey(type);
      this.keys.set(cacheKey, key);
    }
    return key;
  }

  // Async as the @peculiar/x509 generator it replaces was: callers await it.
  private async make(cn: string, issuer: Issued | undefined, options: CertOptions): Promise<Issued> {
    // RSA-4096 keys take a second or more: made off the event loop, so a test worker stays responsive.
    const key = options.sameKeyAs?.key ?? (options.keyType === "rsa-4096" ? await rsa4096() : this.keyFor(`${cn}#${this.serial}`, options.keyType ?? "ec-p256"));
    const signingKey = issuer?.key ?? key;
    const subject = options.subject ?? `CN=${cn}${options.subjectSuffix ? `, ${options.subjectSuffix}` : ""}`;
    const ca = options.ca ?? false;
    const spki = spkiOf(key);
    const issuerSpki = issuer ? spkiOf(issuer.key) : spki;
    const { algorithm, sign } = signer(signingKey.privateKey, options.signatureHash ?? defaultHash(signingKey.type), signatureKind(signingKey.type));
    const inner = options.innerSignatureHash ? signer(signingKey.privateKey, options.innerSignatureHash, signatureKind(signingKey.type)).algorithm : algorithm;
    const der = certificateDer(
      {
        version: options.version ?? 3,
        serial: Buffer.from(options.serialNumber ?? evenHex(0x1000 + this.serial++), "hex"),
        issuer: options.issuerName ?? (issuer ? issuer.subjectName : subject),
        subject,
        notBefore: options.notBefore ?? new Date(this.now.getTime() - 30 * DAY),
        notAfter: options.notAfter ?? new Date(this.now.getTime() + (ca ? 3650 : 90) * DAY),
        spki,
        extensions: options.version === 1 ? [] : extensionsFor(cn, ca, options, spki, issuerSpki),
      },
      algorithm,
      sign,
      inner,
    );
    const cert = Certificate.fromDer(der, cn);
    return {
      name: cn,
      subjectName: subject,
      cert,
      key,
      pem: cert.pem,
      keyPem: key.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    };
  }
}

function extensionsFor(cn: string, ca: boolean, options: CertOptions, spki: Buffer, issuerSpki: Buffer): ExtensionSpec[] {
  const extensions: ExtensionSpec[] = [];
  if (!options.omitBasicConstraints) extensions.push(extension.basicConstraints(ca, ca ? options.pathLen : undefined));
  const usage = options.keyUsage !== undefined ? options.keyUsage : ca ? ["keyCertSign", "cRLSign", "digitalSignature"] : ["digitalSignature", "keyEncipherment"];
  if (usage !== null) extensions.push(extension.keyUsage(typeof usage === "number" ? KEY_USAGE_FLAGS.filter((_, bit) => usage & (1 << bit)) : usage));
  const eku = options.extendedKeyUsage !== undefined ? options.extendedKeyUsage : ca ? null : [SERVER_AUTH];
  if (eku) extensions.push(extension.extendedKeyUsage(eku));
  const names = options.altNames ?? (ca ? [] : (options.dnsNames ?? [cn]).map((dns) => ({ dns })));
  if (names.length > 0) extensions.push(extension.subjectAltName(names, options.sanCritical ?? false));
  if (options.nameConstraints) {
    const { permitted = [], excluded = [], critical = true } = options.nameConstraints;
    extensions.push(extension.nameConstraints(permitted, excluded, critical));
  }
  if (!options.omitKeyIds) extensions.push(extension.subjectKeyIdentifier(keyIdentifier(spki)), extension.authorityKeyIdentifier(keyIdentifier(issuerSpki)));
  if (options.caIssuersUrl) extensions.push(extension.authorityInfoAccess(options.caIssuersUrl));
  return [...extensions, ...(options.extensions ?? [])];
}

function evenHex(n: number): string {
  const hex = n.toString(16);
  return hex.length % 2 ? `0${hex}` : hex;
}

function signatureKind(type: KeyType): SignatureKind {
  if (type === "rsa-pss") return "pss";
  if (type.startsWith("rsa")) return "pkcs1";
  if (type === "dsa") return "dsa";
  if (type === "ed25519" || type === "ed448") return "eddsa";
  return "ecdsa";
}

function defaultHash(type: KeyType): HashName {
  return type === "ec-p384" ? "SHA-384" : type === "ec-p521" ? "SHA-512" : "SHA-256";
}

// P-256 as explicit ECParameters (what `openssl ecparam -name prime256v1 -param_enc explicit` writes).
const P256_EXPLICIT = Buffer.from(
  "3081f7020101302c06072a8648ce3d0101022100ffffffff00000001000000000000000000000000ffffffffffffffffffffffff305b0420ffffffff00000001000000000000000000000000fffffffffffffffffffffffc04205ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b031500c49d360886e704936a6678e1139d26b7819f7e900441046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5022100ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551020101",
  "hex",
);

function spkiOf(key: KeyMaterial): Buffer {
  const spki = key.publicKey.export({ type: "spki", format: "der" });
  if (key.type !== "ec-p256-explicit") return spki;
  // Same key point, the curve written out instead of named.
  const point = spki.subarray(spki.length - 66);
  return sequence(sequence(oid("1.2.840.10045.2.1"), P256_EXPLICIT), element(0x03, point));
}

/** PEM of several issued certificates, in the order given. */
export function pemOf(...issued: Issued[]): string {
  return issued.map((i) => i.pem).join("");
}

function rsa4096(): Promise<KeyMaterial> {
  return new Promise((resolve, reject) =>
    crypto.generateKeyPair("rsa", { modulusLength: 4096 }, (error, publicKey, privateKey) => (error ? reject(error) : resolve({ type: "rsa-4096", publicKey, privateKey }))),
  );
}

function generateKey(type: Exclude<KeyType, "rsa-4096">): KeyMaterial {
  switch (type) {
    case "rsa":
    case "rsa-pss":
      return { type, ...crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }) };
    case "rsa-1024":
      return { type, ...crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }) };
    case "dsa":
      return { type, ...crypto.generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 }) };
    case "ec-p192":
      return { type, ...crypto.generateKeyPairSync("ec", { namedCurve: "prime192v1" }) };
    case "ec-p224":
      return { type, ...crypto.generateKeyPairSync("ec", { namedCurve: "secp224r1" }) };
    case "ec-p256":
    case "ec-p256-explicit":
      return { type, ...crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }) };
    case "ec-p384":
      return { type, ...crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }) };
    case "ec-p521":
      return { type, ...crypto.generateKeyPairSync("ec", { namedCurve: "P-521" }) };
    case "ed25519":
      return { type, ...crypto.generateKeyPairSync("ed25519") };
    case "ed448":
      return { type, ...crypto.generateKeyPairSync("ed448") };
  }
}
