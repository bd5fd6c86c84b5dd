/**
 * The corpus of the verifier-agreement test: the field's chain situations (cross-signs,
 * an expired cross-sign, a missing intermediate, the root sent, the wrong order, same-key
 * twins, an expired root, pathLen and EKU limits), each as the certificates a server sends
 * and the roots a client holds. Built around the real current time: the TLS clients among
 * the verifiers (Java, Python, Node, s_client) cannot be told another time.
 */
import { Issued, Pki } from "../../harness/pki";

export interface CorpusCase {
  /** Also the SNI name prefix: `${id}.corpus.test`. */
  id: string;
  what: string;
  /** What the server sends, leaf first (the leaf's key is served with it). */
  served: Issued[];
  roots: Issued[];
}

/** A certificate a CA publishes at a caIssuers URL, for the clients that fetch it. */
export interface Published {
  /** The path under the AIA base URL ("/issuing.der"). */
  path: string;
  issued: Issued;
}

const DAY = 24 * 3600 * 1000;
const EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

/**
 * `aiaBaseUrl` is where a loopback HTTP server serves `published`: the issuing CA's
 * certificate (named by the leaf's caIssuers URL) and the cross-sign of the new root (named
 * by the issuing CA's).
 */
export async function verifierCorpus(aiaBaseUrl: string, now = new Date()): Promise<{ cases: CorpusCase[]; published: Published[] }> {
  const pki = new Pki({ now });
  const ago = (days: number) => new Date(now.getTime() - days * DAY);

  // A new root cross-signed by an old one (Sectigo R46 by USERTrust), then an issuing CA.
  const old = await pki.root("Corpus Old Root", { notBefore: ago(7000) });
  const fresh = await pki.root("Corpus New Root", { notBefore: ago(400) });
  const freshByOld = await pki.crossSign(fresh, old, { notBefore: ago(400) });
  const freshByOldExpired = await pki.crossSign(fresh, old, { notBefore: ago(800), notAfter: ago(10) });
  const issuing = await pki.intermediate("Corpus Issuing CA", fresh, { pathLen: 0, caIssuersUrl: `${aiaBaseUrl}/new-root-by-old.der` });
  const leaf = await pki.leaf("cross.corpus.test", issuing, { caIssuersUrl: `${aiaBaseUrl}/issuing.der` });

  // An expired root whose cross-sign of a newer root is still valid (DST Root CA X3, 2021).
  const expiredRoot = await pki.root("Corpus Expired Root", { notBefore: ago(7000), notAfter: ago(10) });
  const x1 = await pki.root("Corpus X1 Root", { notBefore: ago(3000) });
  const x1ByExpired = await pki.crossSign(x1, expiredRoot, { notBefore: ago(300) });
  const r3 = await pki.intermediate("Corpus R3", x1, { pathLen: 0 });
  const leLeaf = await pki.leaf("le.corpus.test", r3);
  // The client's own copy of X1 expired, while a served cross-sign of X1 leads to a valid root.
  const x1Expired = await pki.root("Corpus X1 Root", { notBefore: ago(3000), notAfter: ago(5), sameKeyAs: x1 });
  const x1ByOld = await pki.crossSign(x1, old, { notBefore: ago(300) });

  // Same-key twins: one CA certified by two roots (Let's Encrypt Authority X3 by X1 and by DST).
  const rootA = await pki.root("Corpus Twin Root A");
  const rootB = await pki.root("Corpus Twin Root B");
  const twinA = await pki.intermediate("Corpus Twin CA", rootA);
  const twinB = await pki.crossSign(twinA, rootB);
  const twinBExpired = await pki.crossSign(twinA, rootB, { notBefore: ago(800), notAfter: ago(10) });
  const twinLeaf = await pki.leaf("twin.corpus.test", twinA);

  // pathLen: on the root, and on an intermediate.
  const pathLenRoot = await pki.root("Corpus PathLen0 Root", { pathLen: 0 });
  const underPathLenRoot = await pki.intermediate("Corpus Under PathLen0 Root", pathLenRoot);
  const pathLenRootLeaf = await pki.leaf("pathlen-root.corpus.test", underPathLenRoot);
  const plRoot = await pki.root("Corpus PathLen Root");
  const outer = await pki.intermediate("Corpus Outer CA", plRoot, { pathLen: 0 });
  const inner = await pki.intermediate("Corpus Inner CA", outer);
  const innerLeaf = await pki.leaf("pathlen.corpus.test", inner);

  // EKU: a leaf for clients only; intermediates restricted to e-mail, or to serverAuth.
  const ekuRoot = await pki.root("Corpus EKU Root");
  const ekuIssuing = await pki.intermediate("Corpus EKU Issuing CA", ekuRoot);
  const clientLeaf = await pki.leaf("client.corpus.test", ekuIssuing, { extendedKeyUsage: ["1.3.6.1.5.5.7.3.2"] });
  const emailCa = await pki.intermediate("Corpus Email CA", ekuRoot, { extendedKeyUsage: [EMAIL_PROTECTION] });
  const emailCaLeaf = await pki.leaf("email-ca.corpus.test", emailCa);
  const serverCa = await pki.intermediate("Corpus Server CA", ekuRoot, { extendedKeyUsage: [SERVER_AUTH] });
  const serverCaLeaf = await pki.leaf("server-ca.corpus.test", serverCa);

  const c = (id: string, what: string, served: Issued[], roots: Issued[]): CorpusCase => ({ id, what, served, roots });
  const cases = [
    c("cross-modern", "cross-signed chain, client with the new root", [leaf, issuing, freshByOld], [fresh]),
    c("cross-legacy", "cross-signed chain, client with the old root only", [leaf, issuing, freshByOld], [old]),
    c("short-modern", "short chain, client with the new root", [leaf, issuing], [fresh]),
    c("expired-cross-both", "expired cross-sign served, client with both roots (AddTrust 2020)", [leaf, issuing, freshByOldExpired], [fresh, old]),
    c("expired-cross-new", "expired cross-sign served, client with the new root only", [leaf, issuing, freshByOldExpired], [fresh]),
    c("expired-cross-old", "expired cross-sign served, client with the old root only", [leaf, issuing, freshByOldExpired], [old]),
    c("expired-root-only", "valid cross-sign by an expired root, client with the expired root only (DST Root CA X3 2021)", [leLeaf, r3, x1ByExpired], [expiredRoot]),
    c("expired-root-both", "valid cross-sign by an expired root, client with both roots", [leLeaf, r3, x1ByExpired], [expiredRoot, x1]),
    c("expired-root-short", "short chain, client with the newer root", [leLeaf, r3], [x1]),
    c("expired-self-root", "the client's copy of a root expired; a served cross-sign leads to a valid root", [leLeaf, r3, x1ByOld], [x1Expired, old]),
    c("missing-intermediate", "the leaf alone (its AIA URL has the issuing CA)", [leaf], [fresh]),
    c("missing-cross-sign", "the chain without the cross-sign (its issuer's AIA URL has it), client with the old root only", [leaf, issuing], [old]),
    c("root-sent", "the root sent after the chain", [leaf, issuing, fresh], [fresh]),
    c("root-sent-untrusted", "the new root sent, client with the old root only", [leaf, issuing, fresh], [old]),
    c("wrong-order", "cross-sign before the issuing CA", [leaf, freshByOld, issuing], [old]),
    c("twins-both", "same-key twins served, the untrusted one first", [twinLeaf, twinB, twinA], [rootA]),
    c("twins-other", "only the twin of the other root served", [twinLeaf, twinB], [rootA]),
    c("twins-expired-first", "an expired twin first, the valid one after", [twinLeaf, twinBExpired, twinA], [rootA]),
    c("pathlen-root", "root with pathLen 0 above an intermediate", [pathLenRootLeaf, underPathLenRoot], [pathLenRoot]),
    c("pathlen-intermediate", "intermediate with pathLen 0 above another intermediate", [innerLeaf, inner, outer], [plRoot]),
    c("eku-leaf-client", "leaf for TLS clients only (EKU clientAuth)", [clientLeaf, ekuIssuing], [ekuRoot]),
    c("eku-intermediate-email", "intermediate restricted to e-mail (EKU emailProtection)", [emailCaLeaf, emailCa], [ekuRoot]),
    c("eku-intermediate-server", "intermediate restricted to serverAuth", [serverCaLeaf, serverCa], [ekuRoot]),
  ];
  const published = [
    { path: "/issuing.der", issued: issuing },
    { path: "/new-root-by-old.der", issued: freshByOld },
  ];
  return { cases, published };
}
