/**
 * Writes X.509 certificates field by field (RFC 5280 4.1) and signs them with node:crypto:
 * what the test PKI (pki.ts) builds on. Every field can be set to what a real CA would
 * never write (SHA-1 or MD5, DSA, explicit curves, empty names, critical or malformed
 * extensions), since the validator is tested against exactly those.
 */
import * as crypto from "node:crypto";
import { subjectPublicKeyBits } from "../chain/certificate-der";
import { bitString, boolean, element, ia5, integer, nullValue, octetString, oid, printable, sequence, set, tagged, time, utf8 } from "./der-writer";

/** A name as "CN=example.test, O=Example, C=GB" (encoding order); "" is the empty name. */
export type NameSpec = string;

/** One GeneralName: the usual forms by value, or any DER. */
export type GeneralNameSpec =
  | { dns: string }
  | { email: string }
  | { uri: string }
  /** "192.0.2.1" or "2001:db8::1" in a SAN; "10.0.0.0/8" (address/prefix) in a constraint. */
  | { ip: string }
  | { dn: NameSpec }
  /** otherName with a UTF8String value, constructed as RFC 5280 defines it. */
  | { otherName: string }
  | { der: Buffer };

export interface ExtensionSpec {
  oid: string;
  critical?: boolean;
  /** The extension's own DER (the extnValue OCTET STRING's content). */
  value: Buffer;
}

export type HashName = "MD5" | "SHA-1" | "SHA-224" | "SHA-256" | "SHA-384" | "SHA-512";

const ATTRIBUTES: Record<string, string> = {
  CN: "2.5.4.3",
  O: "2.5.4.10",
  OU: "2.5.4.11",
  C: "2.5.4.6",
  L: "2.5.4.7",
  ST: "2.5.4.8",
  SERIALNUMBER: "2.5.4.5",
  E: "1.2.840.113549.1.9.1",
  DC: "0.9.2342.19200300.100.1.25",
};

/** Name DER: PrintableString where the value allows it, else UTF8String; E and DC as IA5String (as @peculiar/x509 wrote them). */
export function nameDer(spec: NameSpec): Buffer {
  if (spec.trim() === "") return sequence();
  const rdns = spec.split(/,\s*(?=[A-Za-z.0-9]+=)/).map((part) => {
    const eq = part.indexOf("=");
    const type = part.slice(0, eq).trim();
    const value = part.slice(eq + 1);
    const attribute = ATTRIBUTES[type.toUpperCase()] ?? type;
    const encoded = type === "E" || type === "DC" ? ia5(value) : /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value) ? printable(value) : utf8(value);
    return set(sequence(oid(attribute), encoded));
  });
  return sequence(...rdns);
}

export function generalName(spec: GeneralNameSpec, role: "name" | "constraint" = "name"): Buffer {
  if ("dns" in spec) return element(0x82, Buffer.from(spec.dns, "latin1"));
  if ("email" in spec) return element(0x81, Buffer.from(spec.email, "latin1"));
  if ("uri" in spec) return element(0x86, Buffer.from(spec.uri, "latin1"));
  if ("ip" in spec) return element(0x87, role === "constraint" ? ipConstraint(spec.ip) : ipBytes(spec.ip));
  if ("dn" in spec) return tagged(4, nameDer(spec.dn), "explicit");
  if ("otherName" in spec) return tagged(0, Buffer.concat([oid("1.3.6.1.4.1.311.20.2.3"), tagged(0, utf8(spec.otherName), "explicit")]), "implicit-constructed");
  return spec.der;
}

function ipBytes(text: string): Buffer {
  if (text.includes(":")) {
    const [head, tail = ""] = text.split("::");
    const parts = (s: string) => (s ? s.split(":") : []);
    const groups = [...parts(head), ...Array(8 - parts(head).length - parts(tail).length).fill("0"), ...parts(tail)];
    return Buffer.from(groups.map((g) => g.padStart(4, "0")).join(""), "hex");
  }
  return Buffer.from(text.split(".").map(Number));
}

function ipConstraint(text: string): Buffer {
  const [address, prefix] = text.split("/");
  const bytes = ipBytes(address);
  const bits = Number(prefix ?? bytes.length * 8);
  const mask = Buffer.alloc(bytes.length);
  for (let i = 0; i < bits; i++) mask[i >> 3] |= 0x80 >> (i & 7);
  return Buffer.concat([bytes, mask]);
}

/** The extensions chainsmith reads, written as RFC 5280 defines them. */
export const extension = {
  basicConstraints(ca: boolean, pathLen?: number, critical = true): ExtensionSpec {
    return { oid: "2.5.29.19", critical, value: sequence(...(ca ? [boolean(true)] : []), ...(pathLen === undefined ? [] : [integer(pathLen)])) };
  },
  /** Key usage by names, bit 0 = digitalSignature ... bit 8 = decipherOnly. */
  keyUsage(names: string[], critical = true): ExtensionSpec {
    const order = ["digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"];
    const bits = names.map((n) => order.indexOf(n));
    const length = Math.max(...bits, 0) + 1;
    const bytes = Buffer.alloc(Math.ceil(length / 8));
    for (const bit of bits) bytes[bit >> 3] |= 0x80 >> (bit & 7);
    let last = length - 1;
    while (last > 0 && !bits.includes(last)) last--;
    return { oid: "2.5.29.15", critical, value: bitString(bytes, bytes.length * 8 - (last + 1)) };
  },
  extendedKeyUsage(oids: string[], critical = false): ExtensionSpec {
    return { oid: "2.5.29.37", critical, value: sequence(...oids.map(oid)) };
  },
  subjectAltName(names: GeneralNameSpec[], critical = false): ExtensionSpec {
    return { oid: "2.5.29.17", critical, value: sequence(...names.map((n) => generalName(n))) };
  },
  nameConstraints(permitted: GeneralNameSpec[], excluded: GeneralNameSpec[], critical = true): ExtensionSpec {
    // GeneralSubtrees under an IMPLICIT [0] or [1]: the tag replaces the SEQUENCE's.
    const subtrees = (n: number, names: GeneralNameSpec[]) => (names.length ? [tagged(n, Buffer.concat(names.map((name) => sequence(generalName(name, "constraint")))), "implicit-constructed")] : []);
    return { oid: "2.5.29.30", critical, value: sequence(...subtrees(0, permitted), ...subtrees(1, excluded)) };
  },
  subjectKeyIdentifier(id: Buffer): ExtensionSpec {
    return { oid: "2.5.29.14", value: octetString(id) };
  },
  authorityKeyIdentifier(id: Buffer): ExtensionSpec {
    return { oid: "2.5.29.35", value: sequence(element(0x80, id)) };
  },
  authorityInfoAccess(caIssuersUri: string): ExtensionSpec {
    return { oid: "1.3.6.1.5.5.7.1.1", value: sequence(sequence(oid("1.3.6.1.5.5.7.48.2"), generalName({ uri: caIssuersUri }))) };
  },
  certificatePolicies(policies: string[], critical = false): ExtensionSpec {
    return { oid: "2.5.29.32", critical, value: sequence(...policies.map((p) => sequence(oid(p)))) };
  },
  policyConstraints(requireExplicitPolicy: number, critical = true): ExtensionSpec {
    return { oid: "2.5.29.36", critical, value: sequence(element(0x80, integer(requireExplicitPolicy).subarray(2))) };
  },
};

/** The subject key identifier RFC 5280 4.2.1.2 method 1 gives: SHA-1 of the key bits. */
export function keyIdentifier(spki: Buffer): Buffer {
  return crypto.createHash("sha1").update(subjectPublicKeyBits(spki)).digest();
}

const HASHES: Record<HashName, string> = { MD5: "md5", "SHA-1": "sha1", "SHA-224": "sha224", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
const RSA_OIDS: Record<HashName, string> = {
  MD5: "1.2.840.113549.1.1.4",
  "SHA-1": "1.2.840.113549.1.1.5",
  "SHA-224": "1.2.840.113549.1.1.14",
  "SHA-256": "1.2.840.113549.1.1.11",
  "SHA-384": "1.2.840.113549.1.1.12",
  "SHA-512": "1.2.840.113549.1.1.13",
};
const ECDSA_OIDS: Partial<Record<HashName, string>> = { "SHA-1": "1.2.840.10045.4.1", "SHA-224": "1.2.840.10045.4.3.1", "SHA-256": "1.2.840.10045.4.3.2", "SHA-384": "1.2.840.10045.4.3.3", "SHA-512": "1.2.840.10045.4.3.4" };
const DSA_OIDS: Partial<Record<HashName, string>> = { "SHA-1": "1.2.840.10040.4.3", "SHA-256": "2.16.840.1.101.3.4.3.2" };
const HASH_OIDS: Record<HashName, string> = { MD5: "1.2.840.113549.2.5", "SHA-1": "1.3.14.3.2.26", "SHA-224": "2.16.840.1.101.3.4.2.4", "SHA-256": "2.16.840.1.101.3.4.2.1", "SHA-384": "2.16.840.1.101.3.4.2.2", "SHA-512": "2.16.840.1.101.3.4.2.3" };

export type SignatureKind = "pkcs1" | "pss" | "ecdsa" | "eddsa" | "dsa";

/** The AlgorithmIdentifier and the signing function for a private key, a hash and (for RSA) PKCS#1 or PSS. */
export function signer(key: crypto.KeyObject, hash: HashName, kind: SignatureKind): { algorithm: Buffer; sign: (tbs: Buffer) => Buffer } {
  const node = HASHES[hash];
  switch (kind) {
    case "pkcs1":
      return { algorithm: sequence(oid(RSA_OIDS[hash]), nullValue()), sign: (tbs) => crypto.sign(node, tbs, key) };
    case "pss": {
      const hashId = sequence(oid(HASH_OIDS[hash]), nullValue());
      const salt = crypto.createHash(node).digest().length;
      const params = sequence(tagged(0, hashId, "explicit"), tagged(1, sequence(oid("1.2.840.113549.1.1.8"), hashId), "explicit"), tagged(2, integer(salt), "explicit"));
      return { algorithm: sequence(oid("1.2.840.113549.1.1.10"), params), sign: (tbs) => crypto.sign(node, tbs, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: salt }) };
    }
    case "ecdsa":
      return { algorithm: sequence(oid(ECDSA_OIDS[hash] ?? fail(`no ECDSA with ${hash}`))), sign: (tbs) => crypto.sign(node, tbs, key) };
    case "dsa":
      return { algorithm: sequence(oid(DSA_OIDS[hash] ?? fail(`no DSA with ${hash}`))), sign: (tbs) => crypto.sign(node, tbs, key) };
    case "eddsa":
      return { algorithm: sequence(oid(key.asymmetricKeyType === "ed448" ? "1.3.101.113" : "1.3.101.112")), sign: (tbs) => crypto.sign(null, tbs, key) };
  }
}

function fail(message: string): never {
  throw new Error(message);
}

export interface TbsSpec {
  /** 1 or 3 (v1 writes no version field and no extensions). */
  version?: 1 | 2 | 3;
  /** The INTEGER's content octets, two's complement, as written. */
  serial: Buffer;
  issuer: NameSpec;
  subject: NameSpec;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  extensions: ExtensionSpec[];
}

/** The whole certificate DER: TBS signed by `sign`, `algorithm` inside and out (unless `innerAlgorithm` differs). */
export function certificateDer(tbs: TbsSpec, algorithm: Buffer, sign: (tbs: Buffer) => Buffer, innerAlgorithm = algorithm): Buffer {
  const version = tbs.version ?? 3;
  const extensions = tbs.extensions.map((e) => sequence(oid(e.oid), ...(e.critical ? [boolean(true)] : []), octetString(e.value)));
  const body = sequence(
    ...(version === 1 ? [] : [tagged(0, integer(version - 1), "explicit")]),
    element(0x02, tbs.serial), // as given: a test may write a negative serial
    innerAlgorithm,
    nameDer(tbs.issuer),
    sequence(time(tbs.notBefore), time(tbs.notAfter)),
    nameDer(tbs.subject),
    tbs.spki,
    ...(extensions.length ? [tagged(3, sequence(...extensions), "explicit")] : []),
  );
  return sequence(body, algorithm, bitString(sign(body)));
}
