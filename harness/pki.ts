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
 * Keys are made with node:crypto and cached per name, so a cross-sign reuses its subject's key.
 */
import * as crypto from "node:crypto";
import { x509 } from "../chain/x509";
import { Certificate } from "../chain/certificate";

const subtle = crypto.webcrypto.subtle;
// Node's WebCrypto key; @peculiar/x509 names the DOM type, which this Node project does not load.
type WebKey = crypto.webcrypto.CryptoKey;

export type KeyType = "rsa" | "rsa-4096" | "rsa-pss" | "ec-p256" | "ec-p384" | "ec-p521" | "ed25519";

export interface KeyMaterial {
  type: KeyType;
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
}

/** A certificate the builder made, with the key that belongs to its subject. */
export interface Issued {
  name: string;
  cert: Certificate;
  key: KeyMaterial;
  /** PEM of the certificate. */
  pem: string;
  /** PKCS#8 PEM of the subject's private key. */
  keyPem: string;
}

export interface CertOptions {
  keyType?: KeyType;
  notBefore?: Date;
  notAfter?: Date;
  /** basicConstraints pathLenConstraint. */
  pathLen?: number;
  /** Override CA flag (e.g. a CA certificate used as a leaf). */
  ca?: boolean;
  /** Override key usage; null leaves the extension out. */
  keyUsage?: x509.KeyUsageFlags | null;
  /** Hash of the issuer's signature (SHA-1 for the "weak signature" finding). */
  signatureHash?: "SHA-1" | "SHA-256" | "SHA-384";
  /** Leave out SKI and AKI (path building must not depend on them). */
  omitKeyIds?: boolean;
  /** Reuse another certificate's key (Let's Encrypt X1/X3 share a key). */
  sameKeyAs?: Issued;
  /** Extra subject attributes, e.g. "O=Sectigo Limited, C=GB". */
  subjectSuffix?: string;
  serialNumber?: string;
  /** Leaf DNS names; defaults to the leaf's name. */
  dnsNames?: string[];
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
      subjectSuffix: suffixOf(subject),
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

  private async make(cn: string, issuer: Issued | undefined, options: CertOptions): Promise<Issued> {
    // RSA-4096 keys take a second or more: made off the event loop, so a test worker stays responsive.
    const key = options.sameKeyAs?.key ?? (options.keyType === "rsa-4096" ? await rsa4096() : this.keyFor(`${cn}#${this.serial}`, options.keyType ?? "ec-p256"));
    const signer = issuer?.key ?? key;
    const subject = `CN=${cn}${options.subjectSuffix ? `, ${options.subjectSuffix}` : ""}`;
    const ca = options.ca ?? false;
    const notBefore = options.notBefore ?? new Date(this.now.getTime() - 30 * DAY);
    const notAfter = options.notAfter ?? new Date(this.now.getTime() + (ca ? 3650 : 90) * DAY);
    const publicKey = await toWebCryptoPublic(key, options.signatureHash);
    const extensions: x509.Extension[] = [];
    if (ca) extensions.push(new x509.BasicConstraintsExtension(true, options.pathLen, true));
    else extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
    const usage =
      options.keyUsage !== undefined
        ? options.keyUsage
        : ca
          ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
          : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
    if (usage !== null) extensions.push(new x509.KeyUsagesExtension(usage, true));
    if (!ca) {
      extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
      const names = (options.dnsNames ?? [cn]).map((value) => ({ type: "dns" as const, value }));
      extensions.push(new x509.SubjectAlternativeNameExtension(names));
    }
    if (!options.omitKeyIds) {
      extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
      const issuerPublic = issuer ? await toWebCryptoPublic(issuer.key, options.signatureHash) : publicKey;
      extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerPublic));
    }
    const { signingKey, algorithm } = await toWebCryptoSigner(signer, options.signatureHash);
    const created = await x509.X509CertificateGenerator.create({
      serialNumber: options.serialNumber ?? (0x1000 + this.serial++).toString(16),
      subject,
      issuer: issuer ? issuer.cert.subject : subject,
      notBefore,
      notAfter,
      publicKey,
      signingKey,
      signingAlgorithm: algorithm,
      extensions,
    });
    const cert = Certificate.fromDer(Buffer.from(created.rawData), cn);
    return {
      name: cn,
      cert,
      key,
      pem: cert.pem,
      keyPem: key.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    };
  }
}

/** PEM of several issued certificates, in the order given. */
export function pemOf(...issued: Issued[]): string {
  return issued.map((i) => i.pem).join("");
}

function suffixOf(issued: Issued): string | undefined {
  const rest = issued.cert.subject.split(/,\s*/).filter((part) => !part.startsWith("CN="));
  return rest.length ? rest.join(", ") : undefined;
}

function rsa4096(): Promise<KeyMaterial> {
  return new Promise((resolve, reject) =>
    crypto.generateKeyPair("rsa", { modulusLength: 4096 }, (error, publicKey, privateKey) => (error ? reject(error) : resolve({ type: "rsa-4096", publicKey, privateKey }))),
  );
}

function generateKey(type: Exclude<KeyType, "rsa-4096">): KeyMaterial {
  switch (type) {
    case "rsa":
      return { type, ...crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }) };
    case "rsa-pss":
      return { type, ...crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }) };
    case "ec-p256":
      return { type, ...crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }) };
    case "ec-p384":
      return { type, ...crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }) };
    case "ec-p521":
      return { type, ...crypto.generateKeyPairSync("ec", { namedCurve: "P-521" }) };
    case "ed25519":
      return { type, ...crypto.generateKeyPairSync("ed25519") };
  }
}

function webAlgorithm(type: KeyType, hash = "SHA-256"): { importParams: object; signParams: object } {
  switch (type) {
    case "rsa":
    case "rsa-4096":
      return { importParams: { name: "RSASSA-PKCS1-v1_5", hash }, signParams: { name: "RSASSA-PKCS1-v1_5", hash } };
    case "rsa-pss":
      return { importParams: { name: "RSA-PSS", hash }, signParams: { name: "RSA-PSS", hash, saltLength: 32 } };
    case "ec-p256":
      return { importParams: { name: "ECDSA", namedCurve: "P-256" }, signParams: { name: "ECDSA", hash } };
    case "ec-p384":
      return { importParams: { name: "ECDSA", namedCurve: "P-384" }, signParams: { name: "ECDSA", hash: "SHA-384" } };
    case "ec-p521":
      return { importParams: { name: "ECDSA", namedCurve: "P-521" }, signParams: { name: "ECDSA", hash: "SHA-512" } };
    case "ed25519":
      return { importParams: { name: "Ed25519" }, signParams: { name: "Ed25519" } };
  }
}

async function toWebCryptoPublic(key: KeyMaterial, hash?: string): Promise<WebKey> {
  const spki = key.publicKey.export({ type: "spki", format: "der" });
  const { importParams } = webAlgorithm(key.type, hash);
  return subtle.importKey("spki", spki, importParams as never, true, ["verify"]);
}

async function toWebCryptoSigner(key: KeyMaterial, hash?: string): Promise<{ signingKey: WebKey; algorithm: crypto.webcrypto.Algorithm }> {
  const pkcs8 = key.privateKey.export({ type: "pkcs8", format: "der" });
  const { importParams, signParams } = webAlgorithm(key.type, hash);
  const signingKey = await subtle.importKey("pkcs8", pkcs8, importParams as never, false, ["sign"]);
  return { signingKey, algorithm: signParams as crypto.webcrypto.Algorithm };
}
