/**
 * A certificate as the planner reasons about it on a Windows host: the facts the agent
 * reports (InventoryCertificate), whether they come from the agent or from a certificate
 * the program holds. Names are compared as CryptoAPI compares them, byte for byte, by
 * hashing the Name DERs; keys by hashing the public key's bits (what .NET's GetPublicKey()
 * returns), so that the agent can report both without sending the certificate.
 */
import * as crypto from "node:crypto";
import { Certificate } from "../../chain/certificate";
import { derElementWithin as element } from "../../chain/der";
import { WindowsTargetError } from "./errors";
import type { InventoryCertificate } from "./contract";

/** The facts, plus the certificate itself when its DER is at hand. */
export interface HostCertificate extends InventoryCertificate {
  /** "CN [sha256 prefix]", as Certificate.label. */
  label: string;
  cert?: Certificate;
}

const short = (bytes: Uint8Array) => crypto.createHash("sha256").update(bytes).digest("hex").slice(0, 32);

/** The agent's facts for a certificate the program has, computed from its DER. */
export function factsOf(cert: Certificate): HostCertificate {
  const parts = nameAndKeyParts(cert.der);
  if (!parts) throw new WindowsTargetError("certificate-shape", `${cert.label}: the certificate's DER does not have the shape of an X.509 certificate.`);
  return {
    thumbprint: cert.sha1,
    sha256: cert.sha256,
    subject: cert.subject,
    subjectName: short(parts.subject),
    issuerName: short(parts.issuer),
    keyHash: short(parts.keyBits),
    subjectKeyId: cert.subjectKeyId ?? "",
    authorityKeyId: cert.authorityKeyId ?? "",
    selfSigned: cert.selfSigned,
    derBase64: cert.der.toString("base64"),
    label: cert.label,
    cert,
  };
}

/** The agent's facts with a label, and the certificate when the DER came along. */
export function fromAgent(facts: InventoryCertificate): HostCertificate {
  const cert = facts.derBase64 ? Certificate.fromDer(Buffer.from(facts.derBase64, "base64"), `${facts.subject} [${facts.thumbprint}]`) : undefined;
  if (cert && cert.sha256 !== facts.sha256.toLowerCase()) {
    throw new WindowsTargetError("inventory-inconsistent", `The agent reported ${facts.thumbprint} with a SHA-256 that does not match its DER.`);
  }
  return { ...facts, label: cert?.label ?? windowsLabel(facts.subject, facts.sha256), cert };
}

/** Same subject (byte for byte) and same key: the same CA, whoever signed this copy. */
export function sameEntity(a: InventoryCertificate, b: InventoryCertificate): boolean {
  return a.subjectName === b.subjectName && a.keyHash === b.keyHash;
}

/** "CN [sha256 prefix]" from a subject as Windows prints it ("CN=example.test, O=..."). */
export function windowsLabel(subject: string, sha256: string): string {
  const cn = /(?:^|,\s*)CN=("(?:[^"]|"")*"|[^,]*)/.exec(subject)?.[1]?.replace(/^"|"$/g, "");
  return `${cn || subject} [${sha256.toLowerCase().slice(0, 16)}]`;
}

/** TBSCertificate: [0] version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo. */
function nameAndKeyParts(der: Buffer): { issuer: Buffer; subject: Buffer; keyBits: Buffer } | undefined {
  const outer = element(der, 0, 0x30);
  const tbs = outer && element(der, outer.contentStart, 0x30);
  if (!tbs) return undefined;
  const fields = [];
  for (let field = element(der, tbs.contentStart); field && field.end <= tbs.end && fields.length < 8; field = element(der, field.end)) fields.push(field);
  const [issuer, , subject, spki] = fields[0]?.tag === 0xa0 ? fields.slice(3) : fields.slice(2);
  const algorithm = spki && element(der, spki.contentStart, 0x30);
  const bits = algorithm && element(der, algorithm.end, 0x03);
  if (!issuer || !subject || !bits) return undefined;
  return { issuer: der.subarray(issuer.start, issuer.end), subject: der.subarray(subject.start, subject.end), keyBits: der.subarray(bits.contentStart + 1, bits.end) };
}
