import * as crypto from "node:crypto";
import { x509 } from "./x509";
import { ChainsmithInputError } from "./errors";

/** Key algorithm and strength, as people name them ("RSA 2048", "EC P-256", "Ed25519"). */
export interface KeyInfo {
  type: "RSA" | "RSA-PSS" | "EC" | "Ed25519" | "Ed448" | "other";
  /** Modulus bits for RSA, curve bits for EC. */
  bits?: number;
  curve?: string;
}

/**
 * One X.509 certificate and the facts chainsmith reasons with. Identity is the SHA-256
 * fingerprint of the DER, never the subject: a cross-signed root and its self-signed
 * twin share subject and key.
 */
export class Certificate {
  readonly der: Buffer;
  /** Lowercase hex SHA-256 of the DER: the identity used everywhere. */
  readonly sha256: string;
  /** Uppercase hex SHA-1 of the DER: the thumbprint Windows shows. */
  readonly sha1: string;
  /** RFC 4514 distinguished names. */
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string | undefined;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex key identifiers, when the extensions are present. */
  readonly subjectKeyId: string | undefined;
  readonly authorityKeyId: string | undefined;
  /** Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER: equal for same-key certificates. */
  readonly spkiSha256: string;
  readonly isCA: boolean;
  readonly pathLen: number | undefined;
  /** Key usage names (digitalSignature, keyCertSign, ...); undefined when the extension is absent. */
  readonly keyUsage: string[] | undefined;
  /** Extended key usage OIDs; undefined when the extension is absent. */
  readonly extendedKeyUsage: string[] | undefined;
  readonly subjectAltNames: string[];
  readonly key: KeyInfo;
  /** The hash of the signature, e.g. "SHA-256" ("SHA-1" is a finding). */
  readonly signatureHash: string | undefined;
  /** Issuer and subject names are equal (RFC 5280 self-issued). */
  readonly selfIssued: boolean;
  readonly publicKey: crypto.KeyObject;

  private readonly native: crypto.X509Certificate;
  private readonly issuerNameKey: string;
  private readonly subjectNameKey: string;
  private selfSignedMemo: boolean | undefined;

  private constructor(der: Buffer, parsed: x509.X509Certificate, native: crypto.X509Certificate) {
    this.der = der;
    this.native = native;
    this.sha256 = crypto.createHash("sha256").update(der).digest("hex");
    this.sha1 = crypto.createHash("sha1").update(der).digest("hex").toUpperCase();
    this.subject = parsed.subject;
    this.issuer = parsed.issuer;
    this.commonName = parsed.subjectName.getField("CN")[0];
    this.serialNumber = parsed.serialNumber;
    this.notBefore = parsed.notBefore;
    this.notAfter = parsed.notAfter;
    this.subjectNameKey = nameKey(parsed.subjectName);
    this.issuerNameKey = nameKey(parsed.issuerName);
    this.selfIssued = this.subjectNameKey === this.issuerNameKey;
    this.publicKey = native.publicKey;
    const spki = this.publicKey.export({ type: "spki", format: "der" });
    this.spkiSha256 = crypto.createHash("sha256").update(spki).digest("hex");
    this.key = keyInfo(this.publicKey);
    this.signatureHash = (parsed.signatureAlgorithm as { hash?: { name?: string } }).hash?.name;

    const ski = parsed.getExtension(x509.SubjectKeyIdentifierExtension);
    this.subjectKeyId = ski?.keyId.toLowerCase();
    const aki = parsed.getExtension(x509.AuthorityKeyIdentifierExtension);
    this.authorityKeyId = aki?.keyId?.toLowerCase();
    const bc = parsed.getExtension(x509.BasicConstraintsExtension);
    this.isCA = bc?.ca ?? false;
    this.pathLen = bc?.pathLength;
    const ku = parsed.getExtension(x509.KeyUsagesExtension);
    this.keyUsage = ku ? keyUsageNames(ku.usages) : undefined;
    const eku = parsed.getExtension(x509.ExtendedKeyUsageExtension);
    this.extendedKeyUsage = eku ? eku.usages.map(String) : undefined;
    const san = parsed.getExtension(x509.SubjectAlternativeNameExtension);
    this.subjectAltNames = san ? san.names.items.map((n) => `${n.type}:${n.value}`) : [];
  }

  /** Parses one DER certificate; `source` names the input in errors ("pool.pem, block 2"). */
  static fromDer(der: Uint8Array, source = "certificate"): Certificate {
    const buf = Buffer.from(der);
    let parsed: x509.X509Certificate;
    let native: crypto.X509Certificate;
    try {
      parsed = new x509.X509Certificate(buf);
      native = new crypto.X509Certificate(buf);
    } catch (e) {
      throw new ChainsmithInputError(
        "bad-certificate",
        `${source}: not a valid X.509 certificate (${(e as Error).message}). Check that the file is not truncated or altered.`,
      );
    }
    return new Certificate(buf, parsed, native);
  }

  /** First 16 hex digits of the SHA-256 fingerprint, for people. */
  get shortFingerprint(): string {
    return this.sha256.slice(0, 16);
  }

  /** "CN [fingerprint]": enough to tell a cross-sign from its self-signed twin. */
  get label(): string {
    return `${this.commonName ?? this.subject} [${this.shortFingerprint}]`;
  }

  get pem(): string {
    const b64 = this.der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "");
    return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
  }

  /** This certificate's issuer name is `other`'s subject name. */
  isIssuedByName(other: Certificate): boolean {
    return this.issuerNameKey === other.subjectNameKey;
  }

  /** Same subject and same key: the same CA, whoever signed this copy of it. */
  isSameEntityAs(other: Certificate): boolean {
    return this.subjectNameKey === other.subjectNameKey && this.spkiSha256 === other.spkiSha256;
  }

  /** The signature on this certificate verifies with `issuer`'s public key. */
  isSignedBy(issuer: Certificate): boolean {
    try {
      return this.native.verify(issuer.publicKey);
    } catch {
      return false;
    }
  }

  /** Self-issued and the signature verifies with its own key (not just equal names). */
  get selfSigned(): boolean {
    if (this.selfSignedMemo === undefined) this.selfSignedMemo = this.selfIssued && this.isSignedBy(this);
    return this.selfSignedMemo;
  }

  isValidAt(at: Date): boolean {
    return this.notBefore.getTime() <= at.getTime() && at.getTime() <= this.notAfter.getTime();
  }

  /** May sign certificates: CA in basicConstraints and keyCertSign when key usage is present. */
  get canSignCertificates(): boolean {
    return this.isCA && (this.keyUsage === undefined || this.keyUsage.includes("keyCertSign"));
  }
}

/** Distinct certificates by fingerprint, in first-seen order. */
export function uniqueCertificates(certs: Iterable<Certificate>): Certificate[] {
  const seen = new Map<string, Certificate>();
  for (const c of certs) if (!seen.has(c.sha256)) seen.set(c.sha256, c);
  return [...seen.values()];
}

// RFC 5280 name matching, approximated: attribute order kept, case and inner spaces folded.
function nameKey(name: x509.Name): string {
  return name.toString().toLowerCase().replace(/\s+/g, " ").trim();
}

const KEY_USAGE_FLAGS: Array<[number, string]> = [
  [x509.KeyUsageFlags.digitalSignature, "digitalSignature"],
  [x509.KeyUsageFlags.nonRepudiation, "nonRepudiation"],
  [x509.KeyUsageFlags.keyEncipherment, "keyEncipherment"],
  [x509.KeyUsageFlags.dataEncipherment, "dataEncipherment"],
  [x509.KeyUsageFlags.keyAgreement, "keyAgreement"],
  [x509.KeyUsageFlags.keyCertSign, "keyCertSign"],
  [x509.KeyUsageFlags.cRLSign, "cRLSign"],
  [x509.KeyUsageFlags.encipherOnly, "encipherOnly"],
  [x509.KeyUsageFlags.decipherOnly, "decipherOnly"],
];

function keyUsageNames(flags: number): string[] {
  return KEY_USAGE_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

function keyInfo(key: crypto.KeyObject): KeyInfo {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { type: "RSA", bits: details.modulusLength };
    case "rsa-pss":
      return { type: "RSA-PSS", bits: details.modulusLength };
    case "ec": {
      const curve = details.namedCurve;
      const bits = curve === "prime256v1" ? 256 : curve === "secp384r1" ? 384 : curve === "secp521r1" ? 521 : undefined;
      return { type: "EC", curve, bits };
    }
    case "ed25519":
      return { type: "Ed25519", bits: 256 };
    case "ed448":
      return { type: "Ed448", bits: 456 };
    default:
      return { type: "other" };
  }
}
