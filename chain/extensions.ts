/**
 * The extensions of a certificate (RFC 5280 4.2), decoded as strictly as Go's parser does.
 * A certificate whose extensions break the rules is not refused at parse time: it is read,
 * and carries defects that keep it off every valid path, each with a named reason, so a
 * bad intermediate in a pool is one dead end and not a failed run.
 *
 * Understood (so allowed to be critical), as in Go: basicConstraints, keyUsage,
 * extKeyUsage, subjectAltName, nameConstraints, CRL distribution points, certificate
 * policies, policy mappings, policy constraints, inhibitAnyPolicy; and, never critical
 * (RFC 5280 says conforming CAs MUST NOT mark them so): subjectKeyIdentifier,
 * authorityKeyIdentifier, authorityInfoAccess. Any other critical extension is a defect.
 */
import { DerCursor, DerElement, DerError, TAG, contentOf, contextTag, readBitString, readBoolean, readOid, readSmallInteger } from "./der";
import { GeneralName, readGeneralName, readGeneralNames } from "./general-names";
import { NameConstraints, readNameConstraints } from "./name-constraints";

export interface Extension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING's content: the extension's own DER. */
  value: Buffer;
}

/** Why a certificate can be on no valid path, whatever the path. */
export interface Defect {
  code: "malformed-extension" | "unknown-critical-extension" | "duplicate-extension" | "extension-wrongly-critical" | "malformed-certificate";
  reason: string;
}

export interface ExtensionFacts {
  basicConstraints?: { ca: boolean; pathLen?: number };
  /** Key usage names; undefined when the extension is absent. */
  keyUsage?: string[];
  /** Extended key usage OIDs; undefined when absent. */
  extendedKeyUsage?: string[];
  subjectAltNames?: GeneralName[];
  subjectAltNamesCritical: boolean;
  nameConstraints?: NameConstraints;
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** The caIssuers URLs of authorityInfoAccess: where AIA-fetching clients download the issuer. */
  caIssuersUrls?: string[];
  /** policyConstraints' requireExplicitPolicy, when present. */
  requireExplicitPolicy?: number;
  defects: Defect[];
}

/** id-ad-caIssuers (RFC 5280 4.2.2.1). */
const CA_ISSUERS = "1.3.6.1.5.5.7.48.2";

export const OID = {
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
  crlDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  policyMappings: "2.5.29.33",
  authorityKeyIdentifier: "2.5.29.35",
  policyConstraints: "2.5.29.36",
  extKeyUsage: "2.5.29.37",
  inhibitAnyPolicy: "2.5.29.54",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
} as const;

const NAMES: Record<string, string> = Object.fromEntries(Object.entries(OID).map(([name, oid]) => [oid, name]));
const NEVER_CRITICAL = new Set<string>([OID.subjectKeyIdentifier, OID.authorityKeyIdentifier, OID.authorityInfoAccess]);

const KEY_USAGE_BITS = ["digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"];

/** Reads Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, from the [3] field's content. */
export function readExtensions(der: Buffer, sequence: DerElement): Extension[] {
  const list = DerCursor.inside(der, sequence, "extensions");
  const extensions: Extension[] = [];
  while (!list.done) {
    const fields = DerCursor.inside(der, list.next(TAG.SEQUENCE, "extension"), "extension");
    const oid = readOid(der, fields.next(TAG.OID, "extnID"), "extension id");
    const flag = fields.optional(TAG.BOOLEAN, "critical");
    const critical = flag ? readBoolean(der, flag, "extension critical flag") : false;
    const value = contentOf(der, fields.next(TAG.OCTET_STRING, "extnValue"));
    fields.finish();
    extensions.push({ oid, critical, value });
  }
  if (extensions.length === 0) throw new DerError("extensions: present but empty (at least one is required)");
  return extensions;
}

/** Decodes the extensions chainsmith understands and records every rule they break. */
export function extensionFacts(extensions: readonly Extension[]): ExtensionFacts {
  const facts: ExtensionFacts = { subjectAltNamesCritical: false, defects: [] };
  const seen = new Set<string>();
  for (const extension of extensions) {
    const name = NAMES[extension.oid];
    if (seen.has(extension.oid)) {
      facts.defects.push({ code: "duplicate-extension", reason: `has the extension ${name ?? extension.oid} twice (RFC 5280 4.2 allows one)` });
      continue;
    }
    seen.add(extension.oid);
    if (!name) {
      if (extension.critical) facts.defects.push({ code: "unknown-critical-extension", reason: `has a critical extension chainsmith does not understand (${extension.oid}); RFC 5280 requires refusing it` });
      continue;
    }
    if (extension.critical && NEVER_CRITICAL.has(extension.oid)) {
      facts.defects.push({ code: "extension-wrongly-critical", reason: `marks ${name} critical, which RFC 5280 forbids` });
      continue;
    }
    try {
      decode(extension, facts);
    } catch (e) {
      facts.defects.push({ code: "malformed-extension", reason: `has a malformed ${name} extension (${(e as Error).message})` });
    }
  }
  return facts;
}

function decode({ oid, critical, value }: Extension, facts: ExtensionFacts): void {
  const top = new DerCursor(value, 0, value.length, NAMES[oid]);
  switch (oid) {
    case OID.basicConstraints: {
      const fields = DerCursor.inside(value, top.next(TAG.SEQUENCE), "basicConstraints");
      const ca = fields.optional(TAG.BOOLEAN, "cA");
      const pathLen = fields.optional(TAG.INTEGER, "pathLenConstraint");
      fields.finish();
      facts.basicConstraints = { ca: ca ? readBoolean(value, ca, "cA") : false, pathLen: pathLen ? readSmallInteger(value, pathLen, "pathLenConstraint") : undefined };
      break;
    }
    case OID.keyUsage: {
      const { bytes, bits } = readBitString(value, top.next(TAG.BIT_STRING), "keyUsage");
      facts.keyUsage = KEY_USAGE_BITS.filter((_, i) => i < bits && (bytes[i >> 3] & (0x80 >> (i & 7))) !== 0);
      break;
    }
    case OID.extKeyUsage: {
      const list = DerCursor.inside(value, top.next(TAG.SEQUENCE), "extKeyUsage");
      const usages: string[] = [];
      while (!list.done) usages.push(readOid(value, list.next(TAG.OID, "KeyPurposeId"), "KeyPurposeId"));
      if (usages.length === 0) throw new DerError("no key purpose (at least one is required)");
      facts.extendedKeyUsage = usages;
      break;
    }
    case OID.subjectAltName:
      facts.subjectAltNames = readGeneralNames(value, top.next(TAG.SEQUENCE), "subjectAltName");
      facts.subjectAltNamesCritical = critical;
      for (const name of facts.subjectAltNames) {
        if (name.kind === "ip" && name.bytes.length !== 4 && name.bytes.length !== 16) throw new DerError(`an iPAddress of ${name.bytes.length} octets (4 or 16 expected)`);
      }
      break;
    case OID.nameConstraints:
      facts.nameConstraints = readNameConstraints(value, top.next(TAG.SEQUENCE));
      break;
    case OID.subjectKeyIdentifier:
      facts.subjectKeyId = contentOf(value, top.next(TAG.OCTET_STRING)).toString("hex");
      break;
    case OID.authorityKeyIdentifier: {
      const fields = DerCursor.inside(value, top.next(TAG.SEQUENCE), "authorityKeyIdentifier");
      const keyId = fields.optional(contextTag(0), "keyIdentifier");
      const issuer = fields.optional(contextTag(1, true), "authorityCertIssuer");
      if (issuer) readGeneralNames(value, issuer, "authorityCertIssuer");
      fields.optional(contextTag(2), "authorityCertSerialNumber");
      fields.finish();
      facts.authorityKeyId = keyId ? contentOf(value, keyId).toString("hex") : undefined;
      break;
    }
    case OID.authorityInfoAccess: {
      const list = DerCursor.inside(value, top.next(TAG.SEQUENCE), "authorityInfoAccess");
      const caIssuers: string[] = [];
      while (!list.done) {
        const description = DerCursor.inside(value, list.next(TAG.SEQUENCE, "AccessDescription"), "AccessDescription");
        const method = readOid(value, description.next(TAG.OID, "accessMethod"), "accessMethod");
        const location = readGeneralName(value, description.next(undefined, "accessLocation"), "accessLocation");
        description.finish();
        if (method === CA_ISSUERS && location.kind === "uri") caIssuers.push(location.value);
      }
      facts.caIssuersUrls = caIssuers;
      break;
    }
    case OID.crlDistributionPoints:
      readDistributionPoints(value, top.next(TAG.SEQUENCE));
      break;
    case OID.certificatePolicies:
      readPolicies(value, top.next(TAG.SEQUENCE));
      break;
    case OID.policyMappings: {
      const list = DerCursor.inside(value, top.next(TAG.SEQUENCE), "policyMappings");
      while (!list.done) {
        const pair = DerCursor.inside(value, list.next(TAG.SEQUENCE, "mapping"), "mapping");
        readOid(value, pair.next(TAG.OID), "issuerDomainPolicy");
        readOid(value, pair.next(TAG.OID), "subjectDomainPolicy");
        pair.finish();
      }
      break;
    }
    case OID.policyConstraints: {
      const fields = DerCursor.inside(value, top.next(TAG.SEQUENCE), "policyConstraints");
      const require = fields.optional(contextTag(0), "requireExplicitPolicy");
      const inhibit = fields.optional(contextTag(1), "inhibitPolicyMapping");
      fields.finish();
      if (!require && !inhibit) throw new DerError("neither field is present (RFC 5280 4.2.1.11 requires one)");
      if (inhibit) readSmallInteger(value, { ...inhibit, tag: TAG.INTEGER }, "inhibitPolicyMapping");
      if (require) facts.requireExplicitPolicy = readSmallInteger(value, { ...require, tag: TAG.INTEGER }, "requireExplicitPolicy");
      break;
    }
    case OID.inhibitAnyPolicy:
      readSmallInteger(value, top.next(TAG.INTEGER), "inhibitAnyPolicy");
      break;
  }
  top.finish();
}

// DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL, reasons [1] OPTIONAL, cRLIssuer [2] OPTIONAL }.
function readDistributionPoints(der: Buffer, sequence: DerElement): void {
  const list = DerCursor.inside(der, sequence, "cRLDistributionPoints");
  while (!list.done) {
    const point = DerCursor.inside(der, list.next(TAG.SEQUENCE, "DistributionPoint"), "DistributionPoint");
    const name = point.optional(contextTag(0, true), "distributionPoint");
    if (name) {
      const choice = DerCursor.inside(der, name, "DistributionPointName");
      const full = choice.optional(contextTag(0, true), "fullName");
      if (full) readGeneralNames(der, full, "fullName");
      else choice.next(contextTag(1, true), "nameRelativeToCRLIssuer");
      choice.finish();
    }
    const reasons = point.optional(contextTag(1), "reasons");
    if (reasons) readBitString(der, { ...reasons, tag: TAG.BIT_STRING }, "reasons");
    const issuer = point.optional(contextTag(2, true), "cRLIssuer");
    if (issuer) readGeneralNames(der, issuer, "cRLIssuer");
    point.finish();
  }
}

// PolicyInformation ::= SEQUENCE { policyIdentifier OID, policyQualifiers SEQUENCE OF ... OPTIONAL }; each OID at most once.
function readPolicies(der: Buffer, sequence: DerElement): void {
  const list = DerCursor.inside(der, sequence, "certificatePolicies");
  const seen = new Set<string>();
  while (!list.done) {
    const info = DerCursor.inside(der, list.next(TAG.SEQUENCE, "PolicyInformation"), "PolicyInformation");
    const policy = readOid(der, info.next(TAG.OID, "policyIdentifier"), "policyIdentifier");
    if (seen.has(policy)) throw new DerError(`policy ${policy} appears twice`);
    seen.add(policy);
    info.optional(TAG.SEQUENCE, "policyQualifiers");
    info.finish();
  }
  if (seen.size === 0) throw new DerError("no policy (at least one is required)");
}
