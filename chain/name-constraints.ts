/**
 * Name constraints (RFC 5280 4.2.1.10 and 6.1.3 b-c): a CA's permitted and excluded subtrees,
 * applied to every name of every certificate below it on the path: the subject DN (as a
 * directoryName), emailAddress attributes of the subject (as rfc822Names) and every
 * subjectAltName. Common names are not names here (Go and webpki ignore them too).
 *
 * Matching, form by form:
 * - dNSName as Go does: "example.com" matches it and its subdomains, ".example.com" only
 *   subdomains, "" everything; case-insensitive. A wildcard SAN "*.example.com" is excluded
 *   by an excluded name it could stand for ("test.example.com", CVE-2025-61727).
 * - rfc822Name and URI as RFC 5280 writes them: "user@host" one mailbox, "host" that host
 *   only, ".host" its subdomains. A URI without a host name (or with an IP) cannot be
 *   checked, so a URI constraint refuses it (as Go does).
 * - iPAddress: address and mask, IPv4 and IPv6 apart.
 * - directoryName: the constraint's RDNs begin the name (RFC 5280 7.1 comparison).
 * - otherName, x400Address, ediPartyName, registeredID: not checkable; a constraint of
 *   such a form refuses any name of that form below it (fail closed).
 * A name that cannot be read where a constraint applies to its form is refused too.
 */
import { DerCursor, DerElement, DerError, TAG, contextTag } from "./der";
import { GeneralName, generalNameText, readGeneralName } from "./general-names";
import type { DistinguishedName } from "./x500-name";

export interface NameConstraints {
  permitted: GeneralName[];
  excluded: GeneralName[];
}


/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] OPTIONAL, excludedSubtrees [1] OPTIONAL }. */
export function readNameConstraints(der: Buffer, sequence: DerElement): NameConstraints {
  const fields = DerCursor.inside(der, sequence, "nameConstraints");
  const permitted = fields.optional(contextTag(0, true), "permittedSubtrees");
  const excluded = fields.optional(contextTag(1, true), "excludedSubtrees");
  fields.finish();
  const constraints = { permitted: permitted ? subtrees(der, permitted, "permitted") : [], excluded: excluded ? subtrees(der, excluded, "excluded") : [] };
  if (constraints.permitted.length + constraints.excluded.length === 0) throw new DerError("no subtree (RFC 5280 4.2.1.10 requires one)");
  return constraints;
}

// GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }: the bounds are read and, as by Go, ignored.
function subtrees(der: Buffer, element: DerElement, which: string): GeneralName[] {
  const list = DerCursor.inside(der, element, `${which} subtrees`);
  const bases: GeneralName[] = [];
  while (!list.done) {
    const subtree = DerCursor.inside(der, list.next(TAG.SEQUENCE, "GeneralSubtree"), `${which} subtree`);
    const base = readGeneralName(der, subtree.next(undefined, "base"), `${which} subtree ${bases.length + 1}`);
    subtree.optional(contextTag(0), "minimum");
    subtree.optional(contextTag(1), "maximum");
    subtree.finish();
    bases.push(checkedBase(base));
  }
  return bases;
}

function checkedBase(base: GeneralName): GeneralName {
  switch (base.kind) {
    case "dns":
      if (base.value !== "" && !validDomain(base.value.replace(/^\./, ""))) throw new DerError(`dNSName constraint '${base.value}' is not a domain`);
      break;
    case "email":
      if (base.value.includes("@") ? !mailbox(base.value) : !validDomain(base.value.replace(/^\./, ""))) throw new DerError(`rfc822Name constraint '${base.value}' is neither a mailbox nor a domain`);
      break;
    case "uri":
      if (isIpLiteral(base.value) || !validDomain(base.value.replace(/^\./, ""))) throw new DerError(`URI constraint '${base.value}' is not a domain`);
      break;
    case "ip":
      if ((base.bytes.length !== 8 && base.bytes.length !== 32) || !contiguousMask(base.bytes.subarray(base.bytes.length / 2))) {
        throw new DerError(`iPAddress constraint ${base.bytes.toString("hex")} is not an address and a contiguous mask`);
      }
      break;
  }
  return base;
}

/** The names of a certificate that constraints apply to. */
export interface ConstrainedNames {
  subject: DistinguishedName;
  /** emailAddress attributes of the subject, when the certificate has no subjectAltName (RFC 5280 4.2.1.10). */
  subjectEmails: string[];
  altNames: readonly GeneralName[];
}

/**
 * Why `names` break `constraints`, or undefined when they do not. `spend` is told the cost
 * first (names x subtrees), so that a search can bound it: a CA with thousands of subtrees
 * over a leaf with thousands of names is a denial-of-service shape (x509-limbo's nc-dos).
 */
export function constraintViolation(constraints: NameConstraints, names: ConstrainedNames, spend: (comparisons: number) => void): string | undefined {
  const all: GeneralName[] = [...names.altNames, ...names.subjectEmails.map((value) => ({ kind: "email" as const, value }))];
  spend((all.length + 1) * (constraints.permitted.length + constraints.excluded.length));
  if (!names.subject.isEmpty) {
    const problem = nameViolation(constraints, { kind: "directory", name: names.subject });
    if (problem) return `subject '${names.subject}' ${problem}`;
  }
  for (const name of all) {
    const problem = nameViolation(constraints, name);
    if (problem) return `${generalNameText(name)} ${problem}`;
  }
  return undefined;
}

function nameViolation(constraints: NameConstraints, name: GeneralName): string | undefined {
  const permitted = constraints.permitted.filter((c) => sameForm(c, name));
  const excluded = constraints.excluded.filter((c) => sameForm(c, name));
  if (permitted.length + excluded.length === 0) return undefined;
  if (name.kind === "other") return `is of the form ${name.form}, which chainsmith cannot check against the constraints on that form`;
  let matcher: (constraint: GeneralName, excluding: boolean) => boolean;
  try {
    matcher = matcherFor(name);
  } catch (e) {
    return `cannot be checked against the constraints on its form (${(e as Error).message})`;
  }
  if (permitted.length > 0 && !permitted.some((c) => matcher(c, false))) return `is not within the permitted subtrees (${permitted.map(generalNameText).join(", ")})`;
  const hit = excluded.find((c) => matcher(c, true));
  if (hit) return `is within the excluded subtree ${generalNameText(hit)}`;
  return undefined;
}

function sameForm(constraint: GeneralName, name: GeneralName): boolean {
  return constraint.kind === name.kind && (constraint.kind !== "other" || constraint.form === (name as { form: string }).form);
}

/** A test of one name against constraints of its form; throws when the name cannot be read. */
function matcherFor(name: GeneralName): (constraint: GeneralName, excluding: boolean) => boolean {
  switch (name.kind) {
    case "dns": {
      if (!validDomain(name.value.replace(/^\*\./, ""))) throw new Error(`'${name.value}' is not a DNS name`);
      return (c, excluding) => dnsMatches((c as { value: string }).value, name.value, excluding);
    }
    case "email": {
      const box = mailbox(name.value);
      if (!box) throw new Error(`'${name.value}' is not a mailbox`);
      return (c) => emailMatches((c as { value: string }).value, box);
    }
    case "uri": {
      const host = uriHost(name.value);
      return (c) => hostMatches((c as { value: string }).value, host);
    }
    case "ip":
      return (c) => ipMatches((c as { bytes: Buffer }).bytes, name.bytes);
    case "directory":
      return (c) => (c as { name: DistinguishedName }).name.contains(name.name);
    case "other":
      return () => false;
  }
}

function dnsMatches(constraint: string, name: string, excluding: boolean): boolean {
  if (constraint === "") return true;
  const c = constraint.toLowerCase();
  const n = name.toLowerCase();
  if (c.startsWith(".") ? n.endsWith(c) : n === c || n.endsWith(`.${c}`)) return true;
  // A wildcard stands for any one label: it is excluded when an excluded name is one such label.
  return excluding && n.startsWith("*.") && !c.startsWith(".") && c.slice(c.indexOf(".")) === n.slice(1);
}

function hostMatches(constraint: string, host: string): boolean {
  const c = constraint.toLowerCase();
  const h = host.toLowerCase();
  return c.startsWith(".") ? h.endsWith(c) : h === c;
}

function emailMatches(constraint: string, box: { local: string; domain: string }): boolean {
  if (constraint.includes("@")) {
    const wanted = mailbox(constraint);
    return wanted !== undefined && wanted.local === box.local && wanted.domain.toLowerCase() === box.domain.toLowerCase();
  }
  return hostMatches(constraint, box.domain);
}

function ipMatches(constraint: Buffer, address: Buffer): boolean {
  if (constraint.length !== address.length * 2) return false;
  const mask = constraint.subarray(address.length);
  return address.every((byte, i) => (byte & mask[i]) === (constraint[i] & mask[i]));
}

/** A URI's host name (RFC 3986 authority); throws when there is none or it is an IP literal. */
function uriHost(uri: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(uri)?.[1];
  const host = authority?.replace(/^.*@/, "").replace(/:\d*$/, "");
  if (!host) throw new Error(`URI '${uri}' has no host`);
  if (isIpLiteral(host)) throw new Error(`URI '${uri}' names an IP address`);
  if (!validDomain(host)) throw new Error(`URI '${uri}' has an invalid host`);
  return host;
}

function mailbox(text: string): { local: string; domain: string } | undefined {
  const at = text.lastIndexOf("@");
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  return at > 0 && validDomain(domain) && !/[\s]/.test(local.replace(/^".*"$/, "")) ? { local, domain } : undefined;
}

/** Labels of visible ASCII, none empty, no trailing dot (Go's domainNameValid). */
function validDomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split(".").every((label) => label.length > 0 && label.length <= 63 && /^[\x21-\x7e]+$/.test(label));
}

function isIpLiteral(host: string): boolean {
  return /^\[.*\]$/.test(host) || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.includes(":") && /^[0-9a-f:.]+$/i.test(host));
}

function contiguousMask(mask: Buffer): boolean {
  const bits = [...mask].map((b) => b.toString(2).padStart(8, "0")).join("");
  return /^1*0*$/.test(bits);
}
