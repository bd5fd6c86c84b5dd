import * as crypto from "node:crypto";
import { x509 } from "./x509";
import { certificateParts } from "./certificate-der";
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
  readonly publicKey: crypto.KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;

  private readonly native: crypto.X509Certificate;
  // Name keys for chaining come from OpenSSL's one-line form (cheap); the RFC 4514 strings and
  // the extensions come from @peculiar/x509 on first use, since path building over a large
  // pool or trust store touches only a few certificates' extensions.
  /** Subject and issuer names folded for RFC 5280 name matching (not for display). */
  readonly subjectNameKey: string;
  readonly issuerNameKey: string;
  private parsedMemo: x509.X509Certificate | undefined;
  private factsMemo: ExtensionFacts | undefined;
  private selfSignedMemo: boolean | undefined;
  private spkiMemo: string | undefined;
  private commonNameMemo: string | null | undefined;

  private constructor(der: Buffer, native: crypto.X509Certificate) {
    this.der = der;
    this.native = native;
    this.sha256 = crypto.createHash("sha256").update(der).digest("hex");
    this.publicKey = native.publicKey;
    this.notBefore = new Date(native.validFrom);
    this.notAfter = new Date(native.validTo);
    this.subjectNameKey = nameKey(native.subject);
    this.issuerNameKey = nameKey(native.issuer);
  }

  /** Parses one DER certificate; `source` names the input in errors ("pool.pem, block 2"). */
  static fromDer(der: Uint8Array, source = "certificate"): Certificate {
    const buf = Buffer.from(der);
    let native: crypto.X509Certificate;
    try {
      native = new crypto.X509Certificate(buf);
    } catch (e) {
      // Node retries the bytes as PEM after DER fails, so OpenSSL's last word ("PEM routines::no start line") misleads.
      const detail = /PEM routines/.test((e as Error).message) ? "its DER structure is malformed" : (e as Error).message;
      throw new ChainsmithInputError(
        "bad-certificate",
        `${source}: not a valid X.509 certificate (${detail}). Check that the file is not truncated or altered.`,
      );
    }
    return new Certificate(buf, native);
  }

  private get parsed(): x509.X509Certificate {
    return (this.parsedMemo ??= new x509.X509Certificate(this.der as Buffer<ArrayBuffer>));
  }

  private get facts(): ExtensionFacts {
    return (this.factsMemo ??= extensionFacts(this.parsed));
  }

  /** Uppercase hex SHA-1 of the DER: the thumbprint Windows shows. */
  get sha1(): string {
    return crypto.createHash("sha1").update(this.der).digest("hex").toUpperCase();
  }

  /** RFC 4514 distinguished name of the subject. */
  get subject(): string {
    return this.parsed.subject;
  }

  /** RFC 4514 distinguished name of the issuer. */
  get issuer(): string {
    return this.parsed.issuer;
  }

  get commonName(): string | undefined {
    // From OpenSSL's one-line-per-attribute form, once: used in every dead-end message.
    if (this.commonNameMemo === undefined) this.commonNameMemo = /^CN=(.*)$/m.exec(this.native.subject)?.[1] ?? null;
    return this.commonNameMemo ?? undefined;
  }

  get serialNumber(): string {
    return this.parsed.serialNumber;
  }

  /** Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER: equal for same-key certificates. */
  get spkiSha256(): string {
    return (this.spkiMemo ??= crypto
      .createHash("sha256")
      .update(this.publicKey.export({ type: "spki", format: "der" }))
      .digest("hex"));
  }

  get key(): KeyInfo {
    return keyInfo(this.publicKey);
  }

  /** The hash of the signature, e.g. "SHA-256" ("SHA-1" is a finding). */
  get signatureHash(): string | undefined {
    return (this.parsed.signatureAlgorithm as { hash?: { name?: string } }).hash?.name;
  }

  /** Hex key identifiers, when the extensions are present. */
  get subjectKeyId(): string | undefined {
    return this.facts.subjectKeyId;
  }

  get authorityKeyId(): string | undefined {
    return this.facts.authorityKeyId;
  }

  get isCA(): boolean {
    return this.facts.isCA;
  }

  get pathLen(): number | undefined {
    return this.facts.pathLen;
  }

  /** Key usage names (digitalSignature, keyCertSign, ...); undefined when the extension is absent. */
  get keyUsage(): string[] | undefined {
    return this.facts.keyUsage;
  }

  /** Extended key usage OIDs; undefined when the extension is absent. */
  get extendedKeyUsage(): string[] | undefined {
    return this.facts.extendedKeyUsage;
  }

  get subjectAltNames(): string[] {
    return this.facts.subjectAltNames;
  }

  /** Issuer and subject names are equal (RFC 5280 self-issued). */
  get selfIssued(): boolean {
    return this.subjectNameKey === this.issuerNameKey;
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
    // An RSA signature cannot verify with an EC key (and so on): answer without the costly check.
    const family = keyTypesFor(this.der);
    if (family && !family.includes(issuer.publicKey.asymmetricKeyType ?? "")) return false;
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

// Key types (KeyObject.asymmetricKeyType) that can verify each family of signature
// algorithm, by the hex prefix of its OID: read from the DER, since a full parse of every
// same-named candidate's child would cost more than the checks it saves.
const SIGNATURE_KEY_TYPES: [oidPrefix: string, keyTypes: string[]][] = [
  ["2a864886f70d01010a", ["rsa", "rsa-pss"]], // RSASSA-PSS
  ["2a864886f70d0101", ["rsa"]], // PKCS#1 v1.5 (sha1WithRSAEncryption, sha256WithRSAEncryption, ...)
  ["2a8648ce3d04", ["ec"]], // ecdsa-with-SHA*
  ["2b6570", ["ed25519"]],
  ["2b6571", ["ed448"]],
];

function keyTypesFor(der: Buffer): string[] | undefined {
  const oid = certificateParts(der)?.signatureAlgorithmOid;
  return oid === undefined ? undefined : SIGNATURE_KEY_TYPES.find(([prefix]) => oid.startsWith(prefix))?.[1];
}

interface ExtensionFacts {
  subjectKeyId: string | undefined;
  authorityKeyId: string | undefined;
  isCA: boolean;
  pathLen: number | undefined;
  keyUsage: string[] | undefined;
  extendedKeyUsage: string[] | undefined;
  subjectAltNames: string[];
}

function extensionFacts(parsed: x509.X509Certificate): ExtensionFacts {
  const bc = parsed.getExtension(x509.BasicConstraintsExtension);
  const ku = parsed.getExtension(x509.KeyUsagesExtension);
  const eku = parsed.getExtension(x509.ExtendedKeyUsageExtension);
  const san = parsed.getExtension(x509.SubjectAlternativeNameExtension);
  return {
    subjectKeyId: parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId.toLowerCase(),
    authorityKeyId: parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId?.toLowerCase(),
    isCA: bc?.ca ?? false,
    pathLen: bc?.pathLength,
    keyUsage: ku ? keyUsageNames(ku.usages) : undefined,
    extendedKeyUsage: eku ? eku.usages.map(String) : undefined,
    subjectAltNames: san ? san.names.items.map((n) => `${n.type}:${n.value}`) : [],
  };
}

/** Distinct certificates by fingerprint, in first-seen order. */
export function uniqueCertificates(certs: Iterable<Certificate>): Certificate[] {
  const seen = new Map<string, Certificate>();
  for (const c of certs) if (!seen.has(c.sha256)) seen.set(c.sha256, c);
  return [...seen.values()];
}

// RFC 5280 name matching, approximated: attribute order kept, case and inner spaces folded.
function nameKey(oneLineName: string): string {
  return oneLineName.toLowerCase().replace(/[ \t]+/g, " ").trim();
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
