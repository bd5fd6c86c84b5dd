// Extensions (critical, unknown, malformed, duplicated), names (empty, case-folded) and
// pathological certificates: what must be refused with a reason, and what must still parse.
import { element, sequence } from "../der-writer";
import { Pki } from "../pki";
import { ExtensionSpec, extension } from "../x509-builder";
import { CaseInput, linearCase } from "./corpus";

const UNKNOWN_OID = "1.3.6.1.4.1.55555.1";
const unknown = (critical: boolean): ExtensionSpec => ({ oid: UNKNOWN_OID, critical, value: Buffer.from("0500", "hex") });
const raw = (oid: string, hex: string, critical = false): ExtensionSpec => ({ oid, critical, value: Buffer.from(hex, "hex") });
const critical = (spec: ExtensionSpec): ExtensionSpec => ({ ...spec, critical: true });

/** A value nested `depth` SEQUENCEs deep. */
function nested(depth: number): Buffer {
  let value: Buffer = Buffer.from("0500", "hex");
  for (let i = 0; i < depth; i++) value = sequence(value);
  return value;
}

export async function extensionCases(pki: Pki): Promise<CaseInput[]> {
  const keyId = Buffer.alloc(20, 7);
  const cases: Promise<CaseInput>[] = [
    linearCase(pki, { id: "ext::unknown-critical-ee", about: "an unknown critical extension in the leaf", expected: "reject", code: "unknown-critical-extension", leaf: { extensions: [unknown(true)] } }),
    linearCase(pki, { id: "ext::unknown-critical-intermediate", about: "an unknown critical extension in the intermediate", expected: "reject", code: "unknown-critical-extension", ca: { extensions: [unknown(true)] } }),
    linearCase(pki, { id: "ext::unknown-critical-root", about: "an unknown critical extension in the anchor", expected: "reject", code: "unknown-critical-extension", root: { extensions: [unknown(true)] } }),
    linearCase(pki, { id: "ext::unknown-noncritical", about: "an unknown non-critical extension is ignored", expected: "accept", leaf: { extensions: [unknown(false)] } }),
    linearCase(pki, { id: "ext::critical-aki", about: "the leaf's authorityKeyIdentifier is marked critical", expected: "reject", code: "extension-wrongly-critical", leaf: { omitKeyIds: true, extensions: [critical(extension.authorityKeyIdentifier(keyId))] } }),
    linearCase(pki, { id: "ext::critical-ski", about: "the intermediate's subjectKeyIdentifier is marked critical", expected: "reject", code: "extension-wrongly-critical", ca: { omitKeyIds: true, extensions: [critical(extension.subjectKeyIdentifier(keyId))] } }),
    linearCase(pki, { id: "ext::ee-critical-aia", about: "the leaf's authorityInfoAccess is marked critical", expected: "reject", code: "extension-wrongly-critical", leaf: { extensions: [critical(extension.authorityInfoAccess("http://ca.example.com/ca.der"))] } }),
    linearCase(pki, { id: "ext::duplicate-extensions", about: "the leaf has two subjectAltName extensions", expected: "reject", code: "duplicate-extension", leaf: { extensions: [extension.subjectAltName([{ dns: "other.example.com" }])] } }),
    linearCase(pki, { id: "ext::malformed-san", about: "the leaf's subjectAltName is not valid DER", expected: "reject", code: "malformed-extension", leaf: { altNames: [], extensions: [raw("2.5.29.17", "300582107777")] } }),
    linearCase(pki, { id: "ext::malformed-aia", about: "the leaf's authorityInfoAccess is not valid DER", expected: "reject", code: "malformed-extension", leaf: { extensions: [raw("1.3.6.1.5.5.7.1.1", "30030601")] }, differs: { openssl: { verdict: "accept", why: "OpenSSL decodes authorityInfoAccess only to fetch from it" } } }),
    linearCase(pki, { id: "ext::malformed-basic-constraints", about: "the intermediate's cA BOOLEAN is 0x02", expected: "reject", code: "malformed-extension", ca: { omitBasicConstraints: true, extensions: [raw("2.5.29.19", "3003010102", true)] }, differs: { openssl: { verdict: "accept", why: "OpenSSL reads the BER boolean 0x02 as TRUE" } } }),
    linearCase(pki, { id: "ext::malformed-key-usage", about: "the intermediate's keyUsage has non-zero padding bits", expected: "reject", code: "malformed-extension", ca: { keyUsage: null, extensions: [raw("2.5.29.15", "03020786", true)] } }),
    linearCase(pki, { id: "ext::malformed-eku", about: "the leaf's extKeyUsage is not a SEQUENCE", expected: "reject", code: "malformed-extension", leaf: { extendedKeyUsage: null, extensions: [raw("2.5.29.37", "0403000000")] } }),
    linearCase(pki, { id: "ext::san-ip-bad-length", about: "an iPAddress SAN of 3 octets", expected: "reject", code: "malformed-extension", leaf: { altNames: [{ dns: "www.example.com" }, { der: Buffer.from("8703c00002", "hex") }] }, differs: { openssl: { verdict: "accept", why: "OpenSSL keeps an iPAddress of any length" } } }),
    linearCase(pki, { id: "ext::san-othername-primitive", about: "an otherName SAN in primitive form reads as an unchecked name (as Go)", expected: "accept", leaf: { altNames: [{ dns: "www.example.com" }, { der: Buffer.from("8003616263", "hex") }] }, differs: { openssl: { verdict: "reject", why: "OpenSSL cannot decode the subjectAltName and refuses the certificate" } } }),
    linearCase(pki, { id: "cve::cve-2024-0567", about: "an empty leaf subject with a critical SAN", expected: "accept", leaf: { subject: "", sanCritical: true } }),
    linearCase(pki, { id: "ext::empty-subject-noncritical-san", about: "an empty subject needs a critical SAN (RFC 5280 4.2.1.6)", expected: "reject", code: "malformed-certificate", leaf: { subject: "" }, differs: { go: { verdict: "accept", why: "Go does not check the criticality rule of 4.2.1.6" }, openssl: { verdict: "accept", why: "OpenSSL checks it only with -x509_strict" } } }),
    linearCase(pki, { id: "ext::signature-algorithm-mismatch", about: "the TBS names ecdsa-with-SHA384, the outer field ecdsa-with-SHA256", expected: "reject", code: "malformed-certificate", leaf: { innerSignatureHash: "SHA-384" } }),
    linearCase(pki, { id: "ext::negative-serial", about: "a negative serial number", expected: "reject", code: "malformed-certificate", leaf: { serialNumber: "ff01" }, differs: { openssl: { verdict: "accept", why: "OpenSSL reads negative serials" } } }),
    linearCase(pki, { id: "ext::v1-leaf", about: "a v1 leaf (no extensions at all)", expected: "accept", leaf: { version: 1 } }),
    linearCase(pki, { id: "ext::critical-certificate-policies", about: "critical certificatePolicies are understood", expected: "accept", leaf: { extensions: [extension.certificatePolicies(["2.23.140.1.2.1"], true)] } }),
    linearCase(pki, { id: "ext::require-explicit-policy-unmet", about: "requireExplicitPolicy 0 on the intermediate, no policies below", expected: "reject", code: "explicit-policy", ca: { extensions: [extension.policyConstraints(0)] }, differs: { openssl: { verdict: "accept", why: "openssl verify evaluates policies only with -policy_check or -explicit_policy" } } }),
    linearCase(pki, {
      id: "ext::require-explicit-policy-met",
      about: "requireExplicitPolicy 0 on the intermediate, a policy on both below the anchor",
      expected: "accept",
      ca: { extensions: [extension.policyConstraints(0), extension.certificatePolicies(["2.23.140.1.2.1"])] },
      leaf: { extensions: [extension.certificatePolicies(["2.23.140.1.2.1"])] },
      differs: { chainsmith: { verdict: "reject", why: "chainsmith does not evaluate certificate policies and refuses a path where requireExplicitPolicy takes effect" } },
    }),
    // Names
    linearCase(pki, { id: "name::case-folded-issuer", about: "the leaf's issuer name differs from the CA's subject in case only (RFC 5280 7.1)", expected: "accept", leaf: { issuerName: "CN=NAME::CASE-FOLDED-ISSUER CA" }, differs: { go: { verdict: "reject", why: "Go chains by byte equality of names" } } }),
    linearCase(pki, { id: "name::empty-issuer", about: "a leaf whose issuer name is empty has no issuer", expected: "reject", code: "missing-issuer", leaf: { issuerName: "" } }),
    // Pathological certificates: they must parse and be judged, never crash
    linearCase(pki, { id: "pathological::5000-extensions", about: "5,000 unknown non-critical extensions in the leaf", expected: "accept", leaf: { extensions: Array.from({ length: 5000 }, (_, i) => ({ oid: `${UNKNOWN_OID}.${i}`, value: Buffer.from("0500", "hex") })) } }),
    linearCase(pki, { id: "pathological::60000-sans", about: "60,000 DNS names in the leaf", expected: "accept", leaf: { altNames: Array.from({ length: 60000 }, (_, i) => ({ dns: `h${i}.example.com` })) } }),
    linearCase(pki, { id: "pathological::deep-san-value", about: "a directoryName SAN whose attribute value nests 300 SEQUENCEs deep", expected: "accept", leaf: { altNames: [{ dns: "www.example.com" }, { der: element(0xa4, sequence(element(0x31, sequence(element(0x06, Buffer.from("550403", "hex")), nested(300))))) }] } }),
    linearCase(pki, { id: "pathological::deep-basic-constraints", about: "basicConstraints nesting 300 SEQUENCEs deep", expected: "reject", code: "malformed-extension", leaf: { omitBasicConstraints: true, extensions: [{ oid: "2.5.29.19", critical: true, value: sequence(nested(300)) }] }, differs: { go: { verdict: "accept", why: "Go ignores what follows the fields it reads in basicConstraints" } } }),
  ];
  return Promise.all(cases);
}
