// Name constraints of every form (RFC 5280 4.2.1.10), on the intermediate unless said otherwise.
import { GeneralNameSpec } from "../x509-builder";
import { Pki } from "../pki";
import { CaseInput, linear, linearCase } from "./corpus";

type Constraint = { permitted?: GeneralNameSpec[]; excluded?: GeneralNameSpec[]; critical?: boolean };

const GO_NO_DIRECTORY_NAMES = { verdict: "reject" as const, why: "Go does not implement directoryName constraints: a critical nameConstraints extension holding one is an unhandled critical extension" };
const GO_DOMAIN_SEMANTICS = { verdict: "accept" as const, why: "Go matches email and URI domain constraints like DNS names (subdomains included); RFC 5280 4.2.1.10 says a host constraint is that host only" };

export async function nameConstraintCases(pki: Pki): Promise<CaseInput[]> {
  const nc = (id: string, about: string, expected: "accept" | "reject", constraint: Constraint, names: GeneralNameSpec[], extra: Pick<Partial<CaseInput>, "code" | "differs"> & { leafName?: string } = {}) =>
    linearCase(pki, { id, about, expected, code: expected === "reject" ? "name-constraints" : undefined, ca: { nameConstraints: constraint }, leaf: { altNames: names }, ...extra });
  const cases: Promise<CaseInput>[] = [
    // dNSName
    nc("nc::permitted-dns-match", "a DNS SAN below a permitted domain", "accept", { permitted: [{ dns: "example.com" }] }, [{ dns: "www.example.com" }]),
    nc("nc::permitted-dns-exact", "the permitted domain itself", "accept", { permitted: [{ dns: "example.com" }] }, [{ dns: "example.com" }]),
    nc("nc::permitted-dns-mismatch", "a DNS SAN outside the permitted domain", "reject", { permitted: [{ dns: "example.com" }] }, [{ dns: "www.example.org" }]),
    nc("nc::permitted-dns-label-boundary", "notexample.com is not below example.com", "reject", { permitted: [{ dns: "example.com" }] }, [{ dns: "notexample.com" }]),
    nc("nc::permitted-dns-leading-dot-apex", "'.example.com' permits subdomains only, not the apex", "reject", { permitted: [{ dns: ".example.com" }] }, [{ dns: "example.com" }]),
    nc("nc::permitted-dns-leading-dot-subdomain", "'.example.com' permits a subdomain", "accept", { permitted: [{ dns: ".example.com" }] }, [{ dns: "a.example.com" }]),
    nc("nc::permitted-dns-case", "DNS constraints ignore case", "accept", { permitted: [{ dns: "EXAMPLE.com" }] }, [{ dns: "www.Example.COM" }]),
    nc("nc::permitted-dns-one-of-many", "each SAN within one of several permitted subtrees", "accept", { permitted: [{ dns: "a.test" }, { dns: "b.test" }] }, [{ dns: "x.a.test" }, { dns: "y.b.test" }]),
    nc("nc::permitted-dns-one-san-outside", "one SAN of two outside the permitted subtrees", "reject", { permitted: [{ dns: "a.test" }] }, [{ dns: "x.a.test" }, { dns: "y.b.test" }]),
    nc("nc::permitted-dns-no-dns-names", "DNS constraints do not apply to a leaf without DNS names", "accept", { permitted: [{ dns: "example.com" }] }, [{ ip: "192.0.2.1" }]),
    nc("nc::excluded-dns-match", "a DNS SAN inside an excluded subtree", "reject", { excluded: [{ dns: "bad.example.com" }] }, [{ dns: "bad.example.com" }]),
    nc("nc::excluded-dns-subdomain", "a subdomain of an excluded domain", "reject", { excluded: [{ dns: "example.com" }] }, [{ dns: "x.example.com" }]),
    nc("nc::excluded-dns-unrelated", "a DNS SAN beside the excluded subtree", "accept", { excluded: [{ dns: "bad.example.com" }] }, [{ dns: "good.example.com" }]),
    nc("nc::wildcard-permitted", "a wildcard SAN below a permitted domain", "accept", { permitted: [{ dns: "example.com" }] }, [{ dns: "*.example.com" }]),
    nc("nc::wildcard-permitted-narrower", "a wildcard covers more than the permitted subdomain", "reject", { permitted: [{ dns: "a.example.com" }] }, [{ dns: "*.example.com" }]),
    nc("cve::cve-2025-61727", "a wildcard SAN that stands for an excluded name", "reject", { excluded: [{ dns: "test.example.com" }] }, [{ dns: "*.example.com" }], { differs: { openssl: { verdict: "accept", why: "OpenSSL compares a wildcard SAN with excluded subtrees as a literal name" } } }),
    nc("nc::wildcard-excluded-two-labels-down", "a wildcard stands for one label, not two", "accept", { excluded: [{ dns: "a.test.example.com" }] }, [{ dns: "*.example.com" }]),
    nc("nc::dns-constraint-ignores-common-name", "the common name is not a DNS name for constraints", "accept", { permitted: [{ dns: "example.com" }] }, [{ dns: "www.example.com" }], { leafName: "evil.example.org" }),
    // iPAddress
    nc("nc::permitted-ipv4-match", "an IPv4 SAN inside the permitted network", "accept", { permitted: [{ ip: "192.0.2.0/24" }] }, [{ ip: "192.0.2.10" }]),
    nc("nc::permitted-ipv4-mismatch", "an IPv4 SAN outside the permitted network", "reject", { permitted: [{ ip: "192.0.2.0/24" }] }, [{ ip: "198.51.100.1" }]),
    nc("nc::excluded-ipv4-match", "an IPv4 SAN inside an excluded network", "reject", { excluded: [{ ip: "10.0.0.0/8" }] }, [{ ip: "10.1.2.3" }]),
    nc("nc::excluded-ipv4-unrelated", "an IPv4 SAN outside the excluded network", "accept", { excluded: [{ ip: "10.0.0.0/8" }] }, [{ ip: "192.0.2.1" }]),
    nc("nc::permitted-ipv6-match", "an IPv6 SAN inside the permitted network", "accept", { permitted: [{ ip: "2001:db8::/32" }] }, [{ ip: "2001:db8::1" }]),
    nc("nc::permitted-ipv6-mismatch", "an IPv6 SAN outside the permitted network", "reject", { permitted: [{ ip: "2001:db8::/32" }] }, [{ ip: "2001:db9::1" }]),
    nc("nc::ipv4-san-ipv6-permitted", "IPv4 is within no IPv6 subtree", "reject", { permitted: [{ ip: "2001:db8::/32" }] }, [{ ip: "192.0.2.1" }]),
    // rfc822Name
    nc("nc::permitted-email-mailbox", "the one permitted mailbox", "accept", { permitted: [{ email: "user@example.com" }] }, [{ email: "user@example.com" }]),
    nc("nc::permitted-email-mailbox-mismatch", "another mailbox at the same host", "reject", { permitted: [{ email: "user@example.com" }] }, [{ email: "other@example.com" }]),
    nc("nc::permitted-email-host", "a mailbox on the permitted host", "accept", { permitted: [{ email: "example.com" }] }, [{ email: "a@example.com" }]),
    nc("nc::permitted-email-host-not-subdomain", "a host constraint does not cover its subdomains", "reject", { permitted: [{ email: "example.com" }] }, [{ email: "a@sub.example.com" }], { differs: { go: GO_DOMAIN_SEMANTICS } }),
    nc("nc::permitted-email-dot-domain", "'.example.com' covers mailboxes of subdomains", "accept", { permitted: [{ email: ".example.com" }] }, [{ email: "a@sub.example.com" }]),
    nc("nc::excluded-email-host", "a mailbox on an excluded host", "reject", { excluded: [{ email: "example.com" }] }, [{ email: "a@example.com" }]),
    // uniformResourceIdentifier
    nc("nc::permitted-uri-host", "a URI on the permitted host", "accept", { permitted: [{ uri: "example.com" }] }, [{ uri: "https://example.com/path" }]),
    nc("nc::permitted-uri-host-not-subdomain", "a URI host constraint does not cover subdomains", "reject", { permitted: [{ uri: "example.com" }] }, [{ uri: "https://www.example.com/" }], { differs: { go: GO_DOMAIN_SEMANTICS } }),
    nc("nc::permitted-uri-dot-domain", "'.example.com' covers URIs on subdomains", "accept", { permitted: [{ uri: ".example.com" }] }, [{ uri: "https://www.example.com/" }]),
    nc("nc::excluded-uri-host", "a URI on an excluded host, port and path notwithstanding", "reject", { excluded: [{ uri: "example.com" }] }, [{ uri: "https://example.com:8443/x" }]),
    nc("nc::uri-without-host", "a URI constraint cannot check a URI without a host", "reject", { permitted: [{ uri: "example.com" }] }, [{ uri: "urn:uuid:00000000-0000-0000-0000-000000000000" }]),
    nc("nc::uri-ip-host", "a URI constraint cannot check a URI with an IP host", "reject", { permitted: [{ uri: "example.com" }] }, [{ uri: "https://192.0.2.1/" }]),
    // directoryName: the subject DN, in encoding order
    linearCase(pki, { id: "nc::permitted-dn-match", about: "a subject under the permitted directory name", expected: "accept", ca: { nameConstraints: { permitted: [{ dn: "C=GB, O=Example" }] } }, leaf: { subject: "C=GB, O=Example, CN=www.example.com" }, differs: { go: GO_NO_DIRECTORY_NAMES } }),
    linearCase(pki, { id: "nc::permitted-dn-mismatch", about: "a subject outside the permitted directory name", expected: "reject", code: "name-constraints", ca: { nameConstraints: { permitted: [{ dn: "C=GB, O=Example" }] } }, leaf: { subject: "C=GB, O=Other, CN=www.example.com" } }),
    linearCase(pki, { id: "nc::excluded-dn-match", about: "a subject under an excluded directory name", expected: "reject", code: "name-constraints", ca: { nameConstraints: { excluded: [{ dn: "C=GB, O=Evil" }] } }, leaf: { subject: "C=GB, O=Evil, CN=www.example.com" } }),
    linearCase(pki, { id: "nc::permitted-dn-empty-subject", about: "an empty subject is no directory name to check", expected: "accept", ca: { nameConstraints: { permitted: [{ dn: "C=GB, O=Example" }] } }, leaf: { subject: "", sanCritical: true }, differs: { go: GO_NO_DIRECTORY_NAMES } }),
    linearCase(pki, { id: "nc::subject-email-without-san", about: "without a SAN, the subject's emailAddress is an rfc822Name (RFC 5280 4.2.1.10)", expected: "reject", code: "name-constraints", ca: { nameConstraints: { permitted: [{ email: "example.com" }] } }, leaf: { subject: "CN=www.example.com, E=admin@evil.test", altNames: [] }, differs: { go: { verdict: "accept", why: "Go applies constraints to SANs only" } } }),
    // forms that cannot be checked, and malformed constraints
    nc("nc::othername-constraint-othername-san", "an otherName SAN under an otherName constraint cannot be checked", "reject", { permitted: [{ otherName: "user@example.com" }] }, [{ dns: "www.example.com" }, { otherName: "user@example.com" }]),
    nc("nc::othername-constraint-dns-san", "an otherName constraint does not apply to DNS names", "accept", { permitted: [{ otherName: "user@example.com" }] }, [{ dns: "www.example.com" }], { differs: { go: { verdict: "reject", why: "a critical nameConstraints with an otherName subtree is an unhandled critical extension to Go" } } }),
    nc("nc::invalid-ip-mask", "an IP constraint with a non-contiguous mask is malformed", "reject", { permitted: [{ der: Buffer.from("8708c0000200ff00ff00", "hex") }] }, [{ ip: "192.0.2.1" }], { code: "malformed-extension", differs: { openssl: { verdict: "accept", why: "OpenSSL does not check that an IP constraint's mask is contiguous" } } }),
  ];
  cases.push(constrainedAnchor(pki, "nc::anchor-permitted-mismatch", "the anchor's own constraints apply", "reject", "www.example.org"));
  cases.push(constrainedAnchor(pki, "nc::anchor-permitted-match", "the anchor's constraints allow the leaf", "accept", "www.example.com"));
  cases.push(stacked(pki, "nc::stacked-inner-violated", "the root permits example.com, the intermediate only a.example.com", "reject", "b.example.com"));
  cases.push(stacked(pki, "nc::stacked-both-satisfied", "a leaf within both constraints", "accept", "x.a.example.com"));
  cases.push(intermediateSan(pki));
  cases.push(constraintDos(pki));
  return Promise.all(cases);
}

async function constrainedAnchor(pki: Pki, id: string, about: string, expected: "accept" | "reject", name: string): Promise<CaseInput> {
  const { root, ca, leaf } = await linear(pki, id, { root: { nameConstraints: { permitted: [{ dns: "example.com" }] } }, leafName: name });
  return { id, about, expected, code: expected === "reject" ? "name-constraints" : undefined, leaf, pool: [ca], anchors: [root] };
}

async function stacked(pki: Pki, id: string, about: string, expected: "accept" | "reject", name: string): Promise<CaseInput> {
  const { root, ca, leaf } = await linear(pki, id, {
    root: { nameConstraints: { permitted: [{ dns: "example.com" }] } },
    ca: { nameConstraints: { permitted: [{ dns: "a.example.com" }] } },
    leafName: name,
  });
  return { id, about, expected, code: expected === "reject" ? "name-constraints" : undefined, leaf, pool: [ca], anchors: [root] };
}

/** Constraints apply to the names of intermediates below too (Go and RFC 5280 6.1.3). */
async function intermediateSan(pki: Pki): Promise<CaseInput> {
  const id = "nc::intermediate-san-outside";
  const root = await pki.root(`${id} Root`);
  const upper = await pki.intermediate(`${id} Upper CA`, root, { nameConstraints: { permitted: [{ dns: "example.com" }] } });
  const lower = await pki.intermediate(`${id} Lower CA`, upper, { altNames: [{ dns: "ca.evil.test" }] });
  const leaf = await pki.leaf("www.example.com", lower);
  return { id, about: "an intermediate's SAN below a constrained CA is checked too", expected: "reject", code: "name-constraints", leaf, pool: [upper, lower], anchors: [root] };
}

/** x509-limbo's pathological::nc-dos shape: many subtrees times many names, beyond the comparison budget. */
async function constraintDos(pki: Pki): Promise<CaseInput> {
  const id = "pathological::nc-dos";
  const permitted = Array.from({ length: 1024 }, (_, i) => ({ dns: `n${i}.example.com` }));
  const names = Array.from({ length: 1024 }, (_, i) => ({ dns: `h.n${i}.example.com` }));
  const { root, ca, leaf } = await linear(pki, id, { ca: { nameConstraints: { permitted } }, leaf: { altNames: names } });
  return {
    id,
    about: "1,024 subtrees over 1,024 names: more comparisons than the budget (250,000, as rustls-webpki)",
    expected: "reject",
    code: "budget-exceeded",
    leaf,
    pool: [ca],
    anchors: [root],
    differs: { go: { verdict: "accept", why: "Go 1.26 checks constraints in log-linear time and has no comparison bound" } },
  };
}
