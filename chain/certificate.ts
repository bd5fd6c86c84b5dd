import * as crypto from "node:crypto";
import { AlgorithmRefusal, SignatureScheme, keyRefusal, schemeRefusal, signatureScheme, verifySignature } from "./algorithms";
import { CertificateStructure, readCertificate, readExtensionsField } from "./certificate-der";
import { ChainsmithInputError } from "./errors";
import { Defect, ExtensionFacts, extensionFacts } from "./extensions";
import { generalNameText } from "./general-names";
import { ConstrainedNames } from "./name-constraints";
import { DistinguishedName, OID_COMMON_NAME, OID_EMAIL_ADDRESS } from "./x500-name";

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
 * twin share subject and key. The structure is read eagerly (chain/certificate-der) and
 * the extensions on first use; a certificate whose extensions break the rules is still
 * a Certificate, with `defects` that keep it off every valid path.
 */
export class Certificate {
  readonly der: Buffer;
  /** Lowercase hex SHA-256 of the DER: the identity used everywhere. */
  readonly sha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectName: DistinguishedName;
  readonly issuerName: DistinguishedName;

  private readonly structure: CertificateStructure;
  private partsMemo: { tbs: Buffer; spki: Buffer; signature: Buffer } | undefined;
  private factsMemo: ExtensionFacts | undefined;
  private keyMemo: crypto.KeyObject | null | undefined;
  private keyRefusalMemo: AlgorithmRefusal | null | undefined;
  private schemeMemo: SignatureScheme | AlgorithmRefusal | undefined;
  private selfSignedMemo: boolean | undefined;
  private spkiMemo: string | undefined;

  private constructor(der: Buffer, structure: CertificateStructure) {
    this.der = der;
    this.structure = structure;
    // crypto.hash (Node 20.12+) is a one-shot digest, cheaper per certificate of a trust store.
    this.sha256 = crypto.hash ? crypto.hash("sha256", der, "hex") : crypto.createHash("sha256").update(der).digest("hex");
    this.notBefore = structure.notBefore;
    this.notAfter = structure.notAfter;
    this.subjectName = structure.subject;
    this.issuerName = structure.issuer;
  }

  /** Subject and issuer names folded for RFC 5280 name matching (not for display). */
  get subjectNameKey(): string {
    return this.subjectName.key;
  }

  get issuerNameKey(): string {
    return this.issuerName.key;
  }

  private get parts(): { tbs: Buffer; spki: Buffer; signature: Buffer } {
    const { tbs, spki, signature } = this.structure;
    return (this.partsMemo ??= { tbs: this.der.subarray(tbs.start, tbs.end), spki: this.der.subarray(spki.start, spki.end), signature: this.der.subarray(signature.start, signature.end) });
  }

  /** Parses one DER certificate (nothing after it); `source` names the input in errors ("pool.pem, block 2"). */
  static fromDer(der: Uint8Array, source = "certificate"): Certificate {
    const buf = Buffer.from(der);
    let structure: CertificateStructure;
    try {
      structure = readCertificate(buf);
    } catch (e) {
      throw new ChainsmithInputError(
        "bad-certificate",
        `${source}: not a valid X.509 certificate (${(e as Error).message}). Check that the file is not truncated or altered.`,
      );
    }
    return new Certificate(buf, structure);
  }

  private get facts(): ExtensionFacts {
    if (!this.factsMemo) {
      try {
        this.factsMemo = extensionFacts(readExtensionsField(this.der, this.structure.extensions));
      } catch (e) {
        // The extensions field itself does not parse: nothing in it can be trusted.
        this.factsMemo = { subjectAltNamesCritical: false, defects: [{ code: "malformed-certificate", reason: `has a malformed extensions field (${(e as Error).message})` }] };
      }
    }
    return this.factsMemo;
  }

  /** The decoded public key; undefined when node:crypto cannot decode it (an unknown algorithm, a broken key). */
  get publicKey(): crypto.KeyObject | undefined {
    if (this.keyMemo === undefined) {
      try {
        this.keyMemo = crypto.createPublicKey({ key: this.spki, format: "der", type: "spki" });
      } catch {
        this.keyMemo = null;
      }
    }
    return this.keyMemo ?? undefined;
  }

  /** The SubjectPublicKeyInfo's DER. */
  get spki(): Buffer {
    return this.parts.spki;
  }

  /** The signed part and the signature over it, as the issuer made them. */
  get tbs(): Buffer {
    return this.parts.tbs;
  }

  get signatureValue(): Buffer {
    return this.parts.signature;
  }

  /** Dotted OID of the signature algorithm. */
  get signatureAlgorithmOid(): string {
    return this.structure.signatureAlgorithm.oid;
  }

  /** Uppercase hex SHA-1 of the DER: the thumbprint Windows shows. */
  get sha1(): string {
    return crypto.createHash("sha1").update(this.der).digest("hex").toUpperCase();
  }

  /** RFC 4514 distinguished name of the subject. */
  get subject(): string {
    return this.subjectName.toString();
  }

  /** RFC 4514 distinguished name of the issuer. */
  get issuer(): string {
    return this.issuerName.toString();
  }

  get commonName(): string | undefined {
    return this.subjectName.values(OID_COMMON_NAME)[0];
  }

  /** Lowercase hex of the serial number. */
  get serialNumber(): string {
    const bytes = this.der.subarray(this.structure.serial.contentStart, this.structure.serial.end);
    return (bytes.length > 1 && bytes[0] === 0 ? bytes.subarray(1) : bytes).toString("hex");
  }

  get version(): number {
    return this.structure.version;
  }

  /** Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER: equal for same-key certificates. */
  get spkiSha256(): string {
    // Of the key as node:crypto exports it, so that it compares with a private key's (chain/key.ts).
    return (this.spkiMemo ??= crypto.createHash("sha256").update(this.publicKey?.export({ type: "spki", format: "der" }) ?? this.spki).digest("hex"));
  }

  get key(): KeyInfo {
    return this.publicKey ? keyInfo(this.publicKey) : { type: "other" };
  }

  /** The hash of the signature, e.g. "SHA-256" ("SHA-1" is a finding). */
  get signatureHash(): string | undefined {
    const scheme = this.signatureScheme;
    return "hashName" in scheme ? scheme.hashName : undefined;
  }

  /** How the signature on this certificate is verified, or why it cannot be. */
  get signatureScheme(): SignatureScheme | AlgorithmRefusal {
    return (this.schemeMemo ??= signatureScheme(this.structure.signatureAlgorithm));
  }

  /** Why this certificate's own key is refused for path building (weak or unknown), or undefined. */
  get keyRefusal(): AlgorithmRefusal | undefined {
    if (this.keyRefusalMemo === undefined) this.keyRefusalMemo = keyRefusal(this.spki, this.publicKey) ?? null;
    return this.keyRefusalMemo ?? undefined;
  }

  /** Why the signature algorithm on this certificate is refused, or undefined. */
  get signatureRefusal(): AlgorithmRefusal | undefined {
    const scheme = this.signatureScheme;
    return "code" in scheme ? scheme : schemeRefusal(scheme);
  }

  /** Rules this certificate breaks whatever the path (malformed or unknown critical extensions, ...). */
  get defects(): Defect[] {
    const defects = [...this.structure.defects, ...this.facts.defects];
    if (this.subjectName.isEmpty && !(this.facts.subjectAltNames && this.facts.subjectAltNamesCritical)) {
      defects.push({ code: "malformed-certificate", reason: "has an empty subject and no critical subjectAltName (RFC 5280 4.2.1.6)" });
    }
    return defects;
  }

  /** Hex key identifiers, when the extensions are present. */
  get subjectKeyId(): string | undefined {
    return this.facts.subjectKeyId;
  }

  get authorityKeyId(): string | undefined {
    return this.facts.authorityKeyId;
  }

  get isCA(): boolean {
    return this.facts.basicConstraints?.ca ?? false;
  }

  get pathLen(): number | undefined {
    return this.facts.basicConstraints?.pathLen;
  }

  /** Key usage names (digitalSignature, keyCertSign, ...); undefined when the extension is absent. */
  get keyUsage(): string[] | undefined {
    return this.facts.keyUsage;
  }

  /** Extended key usage OIDs; undefined when the extension is absent. */
  get extendedKeyUsage(): string[] | undefined {
    return this.facts.extendedKeyUsage;
  }

  /** Where AIA-fetching clients download this certificate's issuer (authorityInfoAccess caIssuers). */
  get caIssuersUrls(): string[] {
    return this.facts.caIssuersUrls ?? [];
  }

  get subjectAltNames(): string[] {
    return (this.facts.subjectAltNames ?? []).map(generalNameText);
  }

  get nameConstraints(): ExtensionFacts["nameConstraints"] {
    return this.facts.nameConstraints;
  }

  /** policyConstraints' requireExplicitPolicy, when present. */
  get requireExplicitPolicy(): number | undefined {
    return this.facts.requireExplicitPolicy;
  }

  /** The names name constraints apply to. */
  get constrainedNames(): ConstrainedNames {
    const altNames = this.facts.subjectAltNames;
    return { subject: this.subjectName, subjectEmails: altNames ? [] : this.subjectName.values(OID_EMAIL_ADDRESS), altNames: altNames ?? [] };
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
    return `${this.commonName ?? (this.subject || "(empty subject)")} [${this.shortFingerprint}]`;
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
    return this.subjectNameKey === other.subjectNameKey && this.spki.equals(other.spki);
  }

  /** The signature on this certificate verifies with `issuer`'s public key (whatever the algorithm policy says). */
  isSignedBy(issuer: Certificate): boolean {
    const scheme = this.signatureScheme;
    const key = issuer.publicKey;
    return key !== undefined && !("code" in scheme) && verifySignature(scheme, this.tbs, this.signatureValue, key);
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
