// Extended key usage along the path, basicConstraints and anchors, pathLen, and path building
// where a valid path exists beside refused shorter ones (BetterTLS tc50/51/56/57 shapes).
import { ANY_EKU, CLIENT_AUTH, EMAIL_PROTECTION, Issued, Pki, SERVER_AUTH } from "../pki";
import { CaseInput, OPENSSL_ONE_PATH, linear, linearCase } from "./corpus";

export async function pathCases(pki: Pki): Promise<CaseInput[]> {
  const cases: Promise<CaseInput>[] = [
    // Extended key usage
    linearCase(pki, { id: "eku::intermediate-email-only", about: "an intermediate restricted to emailProtection", expected: "reject", code: "extended-key-usage", ca: { extendedKeyUsage: [EMAIL_PROTECTION] } }),
    linearCase(pki, { id: "eku::intermediate-server-auth", about: "an intermediate restricted to serverAuth", expected: "accept", ca: { extendedKeyUsage: [SERVER_AUTH] } }),
    linearCase(pki, { id: "eku::intermediate-server-and-client", about: "an intermediate for serverAuth and clientAuth", expected: "accept", ca: { extendedKeyUsage: [SERVER_AUTH, CLIENT_AUTH] } }),
    linearCase(pki, { id: "eku::intermediate-any", about: "an intermediate with anyExtendedKeyUsage", expected: "accept", ca: { extendedKeyUsage: [ANY_EKU] }, differs: { openssl: { verdict: "reject", why: "OpenSSL wants serverAuth itself in a CA's extendedKeyUsage" } } }),
    linearCase(pki, { id: "eku::root-email-only", about: "an anchor restricted to emailProtection", expected: "reject", code: "extended-key-usage", root: { extendedKeyUsage: [EMAIL_PROTECTION] } }),
    linearCase(pki, { id: "eku::leaf-client-only", about: "a leaf for clientAuth only", expected: "reject", code: "extended-key-usage", leaf: { extendedKeyUsage: [CLIENT_AUTH] } }),
    linearCase(pki, { id: "eku::leaf-without-eku", about: "a leaf without extendedKeyUsage may serve TLS", expected: "accept", leaf: { extendedKeyUsage: null } }),
    // basicConstraints, key usage and anchors
    linearCase(pki, { id: "bc::intermediate-not-ca", about: "an intermediate with cA false", expected: "reject", code: "not-a-ca", ca: { ca: false } }),
    linearCase(pki, { id: "bc::intermediate-without-basic-constraints", about: "an intermediate without basicConstraints", expected: "reject", code: "not-a-ca", ca: { omitBasicConstraints: true } }),
    linearCase(pki, { id: "bc::intermediate-without-key-cert-sign", about: "an intermediate whose key usage lacks keyCertSign", expected: "reject", code: "no-key-cert-sign", ca: { keyUsage: ["digitalSignature", "cRLSign"] } }),
    linearCase(pki, { id: "bc::anchor-v1", about: "a v1 anchor (no extensions) is a CA by configuration", expected: "accept", root: { version: 1 } }),
    linearCase(pki, {
      id: "bc::anchor-v3-without-basic-constraints",
      about: "a v3 anchor without basicConstraints may not sign (RFC 5280 4.2.1.9)",
      expected: "reject",
      code: "not-a-ca",
      root: { omitBasicConstraints: true },
      differs: { openssl: { verdict: "accept", why: "OpenSSL takes a certificate of -CAfile as a CA unless -x509_strict is given" } },
    }),
    linearCase(pki, { id: "bc::anchor-ca-false", about: "an anchor whose basicConstraints says cA FALSE", expected: "reject", code: "not-a-ca", root: { ca: false, keyUsage: ["keyCertSign", "cRLSign"] } }),
    linearCase(pki, { id: "bc::pathlen-0-exceeded", about: "the root allows no intermediate (pathLen 0)", expected: "reject", code: "path-length", root: { pathLen: 0 } }),
    linearCase(pki, { id: "bc::pathlen-0-direct", about: "pathLen 0 on the intermediate that signs the leaf", expected: "accept", ca: { pathLen: 0 } }),
    linearCase(pki, { id: "time::expired-intermediate", about: "the intermediate expired yesterday", expected: "reject", code: "expired", ca: { notBefore: new Date(pki.now.getTime() - 400 * 86400_000), notAfter: new Date(pki.now.getTime() - 86400_000) } }),
    linearCase(pki, { id: "time::future-root", about: "the anchor is not valid yet", expected: "reject", code: "not-yet-valid", root: { notBefore: new Date(pki.now.getTime() + 86400_000) } }),
  ];
  cases.push(selfIssuedNotCounted(pki));
  cases.push(validBesideRefused(pki, "path::name-constraints-short-path", "the short path's intermediate breaks name constraints, a longer path is sound", { nameConstraints: { permitted: [{ dns: "bad.example.com" }] } }));
  cases.push(validBesideRefused(pki, "path::eku-short-path", "the short path's intermediate is for emailProtection only, a longer path is sound", { extendedKeyUsage: [EMAIL_PROTECTION] }));
  cases.push(crossSignMesh(pki));
  return Promise.all(cases);
}

/** RFC 5280 4.2.1.9: self-issued intermediates (a key rollover) do not count against pathLen. */
async function selfIssuedNotCounted(pki: Pki): Promise<CaseInput> {
  const id = "bc::pathlen-self-issued-not-counted";
  const root = await pki.root(`${id} Root`, { pathLen: 1 });
  const oldCa = await pki.intermediate(`${id} CA`, root);
  const rollover = await pki.intermediate(`${id} CA`, oldCa);
  const leaf = await pki.leaf("www.example.com", rollover);
  return {
    id,
    about: "root pathLen 1 over an intermediate and its self-issued rollover",
    expected: "accept",
    leaf,
    pool: [oldCa, rollover],
    anchors: [root],
    differs: { go: { verdict: "reject", why: "Go counts self-issued intermediates against pathLen" } },
  };
}

/**
 * EE <- B [refused] <- A, and EE <- B' <- C <- A sound, where B' has B's subject and key:
 * the search must find the longer path and the choice must avoid B (BetterTLS tc50-57 shapes).
 */
async function validBesideRefused(pki: Pki, id: string, about: string, refused: Parameters<Pki["intermediate"]>[2]): Promise<CaseInput> {
  const { root, ca: b, leaf } = await linear(pki, id, { ca: refused });
  const c = await pki.intermediate(`${id} C`, root);
  const bByC = await pki.crossSign(b, c);
  return { id, about, expected: "accept", leaf, pool: [b, c, bByC], anchors: [root], avoid: [b], differs: { openssl: OPENSSL_ONE_PATH } };
}

/** Eight CAs, each cross-signed by every other: a 2-certificate path exists, and the budget must not hide it. */
async function crossSignMesh(pki: Pki): Promise<CaseInput> {
  const id = "path::cross-sign-mesh-of-8";
  const cas: Issued[] = [];
  for (let i = 0; i < 8; i++) cas.push(await pki.root(`${id} CA ${i}`));
  const pool: Issued[] = [];
  for (const subject of cas) for (const by of cas) if (subject !== by) pool.push(await pki.crossSign(subject, by));
  const anchor = await pki.root(`${id} Anchor`);
  pool.push(await pki.crossSign(cas[0], anchor));
  const leaf = await pki.leaf("www.example.com", cas[0]);
  return {
    id,
    about: "a full cross-sign mesh of 8 CAs, one of them also cross-signed by the anchor",
    expected: "accept",
    leaf,
    pool: [...cas, ...pool],
    anchors: [anchor],
    differs: { go: { verdict: "reject", why: "Go searches depth first and gives up after 100 signature checks, before it reaches the short path" }, openssl: OPENSSL_ONE_PATH },
  };
}
