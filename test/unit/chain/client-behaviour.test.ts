import { beforeAll, describe, expect, it } from "vitest";
import { behaviour, type BehaviourId } from "../../../chain/client-behaviour";
import { checkServedChain, type ClientProfile, type ProfileVerdict } from "../../../chain/profiles";
import type { Issued } from "../../../harness/pki";
import { certsOf, letsEncrypt, sectigo } from "../../../harness/scenarios";

/** Whether trusted, and which behaviour decided it (none: the certificates alone did). */
const outcome = (v: ProfileVerdict) => ({ trusted: v.trusted, decidedBy: v.decidedBy ?? "none" });
const client = (id: BehaviourId, ...roots: Issued[]): ClientProfile => ({ name: id, description: `a ${id} client`, roots: certsOf(...roots), behaviour: behaviour(id) });

describe("Let's Encrypt after DST Root CA X3 expired (2021-09-30)", () => {
  let le: Awaited<ReturnType<typeof letsEncrypt>>;
  let served: ReturnType<typeof certsOf>;
  beforeAll(async () => {
    le = await letsEncrypt();
    served = certsOf(le.leaf, le.r3, le.x1ByDst);
  });

  it("old Android, holding only DST, still accepts the chain through the cross-sign: it ignores its root's expiry", () => {
    const verdict = checkServedChain(client("android-before-7.1.1", le.dst), served, le.afterDstExpiry);
    expect(verdict).toMatchObject({ trusted: true, decidedBy: "anchor-expiry-ignored" });
    expect(verdict.reason).toBe(`trusted via ${le.r3.cert.label} -> ${le.x1ByDst.cert.label} to root ${le.dst.cert.label}, which expired on 2021-09-30: this client ignores a root's expiry`);
    const strict = checkServedChain(client("openssl", le.dst), served, le.afterDstExpiry);
    expect(strict).toMatchObject({ trusted: false, decidedBy: "anchor-expiry-checked" });
    expect(strict.reason).toContain("this client checks a root's expiry (Android before 7.1.1 does not)");
  });

  it("OpenSSL 1.0 with both roots fails on the expired DST, OpenSSL 1.1 takes ISRG Root X1 from its store", () => {
    const old = checkServedChain(client("openssl-1.0", le.dst, le.x1), served, le.afterDstExpiry);
    expect(old).toMatchObject({ trusted: false, decidedBy: "first-path" });
    expect(old.reason).toBe(
      `this client builds ${le.leaf.cert.label} -> ${le.r3.cert.label} -> ${le.x1ByDst.cert.label} -> ${le.dst.cert.label} and judges that path alone: ${le.dst.cert.label} expired on 2021-09-30; it does not try the valid path via ${le.r3.cert.label}`,
    );
    const current = checkServedChain(client("openssl", le.dst, le.x1), served, le.afterDstExpiry);
    expect(outcome(current)).toEqual({ trusted: true, decidedBy: "none" });
    expect(current.path?.anchor.sha256).toBe(le.x1.cert.sha256);
    expect(outcome(checkServedChain(client("openssl-1.0", le.dst, le.x1), served, le.beforeDstExpiry))).toEqual({ trusted: true, decidedBy: "none" });
  });
});

describe("an expired cross-sign served (AddTrust, 2020)", () => {
  it("OpenSSL 1.0 follows it to the old root and fails; clients that search paths use the new root", async () => {
    const s = await sectigo();
    const expiredCross = await s.pki.crossSign(s.r46, s.usertrustRsa, { notBefore: new Date("2021-03-22"), notAfter: new Date("2026-05-01") });
    const served = certsOf(s.leaf, s.r36, expiredCross);
    expect(checkServedChain(client("openssl-1.0", s.r46, s.usertrustRsa), served, s.at)).toMatchObject({ trusted: false, decidedBy: "first-path" });
    expect(checkServedChain(client("openssl", s.r46, s.usertrustRsa), served, s.at).trusted).toBe(true);
    expect(checkServedChain(client("go", s.r46, s.usertrustRsa), served, s.at).trusted).toBe(true);
    // With only the new root, OpenSSL 1.0's alternative-chain search finds it.
    expect(checkServedChain(client("openssl-1.0", s.r46), served, s.at).trusted).toBe(true);
  });
});

describe("a missing intermediate and AIA fetching", () => {
  let s: Awaited<ReturnType<typeof sectigo>>;
  let withAia: Issued;
  beforeAll(async () => {
    s = await sectigo();
    withAia = await s.pki.leaf("aia.example.test", s.r36, { caIssuersUrl: "http://crt.example.test/r36.crt" });
  });

  it("Windows and Apple fetch the issuer the leaf's caIssuers URL names; Android and OpenSSL clients do not", () => {
    const options = { aiaCertificates: certsOf(s.r36) };
    const windows = checkServedChain(client("windows", s.r46), certsOf(withAia), s.at, options);
    expect(windows).toMatchObject({ trusted: true, decidedBy: "aia-fetching" });
    expect(windows.reason).toContain(`trusted after fetching ${s.r36.cert.label} from http://crt.example.test/r36.crt (AIA)`);
    expect(checkServedChain(client("apple", s.r46), certsOf(withAia), s.at, options).trusted).toBe(true);
    for (const id of ["android", "openssl", "nss", "java"] as const) {
      const verdict = checkServedChain(client(id, s.r46), certsOf(withAia), s.at, options);
      expect(verdict).toMatchObject({ trusted: false, decidedBy: "no-aia-fetching" });
      expect(verdict.reason).toContain(`The missing ${s.r36.cert.label} is at http://crt.example.test/r36.crt: clients that fetch it (Windows, macOS, Chrome desktop) complete the chain, this one does not`);
    }
  });

  it("without a caIssuers URL, or without the intermediate known, nothing can be fetched", () => {
    expect(outcome(checkServedChain(client("windows", s.r46), certsOf(s.leaf), s.at, { aiaCertificates: certsOf(s.r36) }))).toEqual({ trusted: false, decidedBy: "none" });
    expect(outcome(checkServedChain(client("windows", s.r46), certsOf(withAia), s.at))).toEqual({ trusted: false, decidedBy: "none" });
  });
});

describe("what a client checks of its root and of the serverAuth purpose", () => {
  it("Java and rustls-webpki use only the root's name and key: its pathLen does not apply", async () => {
    const s = await sectigo();
    const narrowRoot = await s.pki.root("Narrow Root", { pathLen: 0 });
    const ca = await s.pki.intermediate("Below Narrow Root", narrowRoot);
    const leaf = await s.pki.leaf("narrow.example.test", ca);
    const served = certsOf(leaf, ca);
    expect(checkServedChain(client("java", narrowRoot), served, s.at)).toMatchObject({ trusted: true, decidedBy: "anchor-constraints-ignored" });
    expect(checkServedChain(client("webpki", narrowRoot), served, s.at).trusted).toBe(true);
    expect(checkServedChain(client("go", narrowRoot), served, s.at)).toMatchObject({ trusted: false });
  });

  it("Java checks serverAuth on the leaf only; the others along the path", async () => {
    const s = await sectigo();
    const root = await s.pki.root("EKU Root");
    const mailCa = await s.pki.intermediate("Mail CA", root, { extendedKeyUsage: ["1.3.6.1.5.5.7.3.4"] });
    const leaf = await s.pki.leaf("mail-ca.example.test", mailCa);
    const java = checkServedChain(client("java", root), certsOf(leaf, mailCa), s.at);
    expect(java).toMatchObject({ trusted: true, decidedBy: "eku-leaf-only" });
    const go = checkServedChain(client("go", root), certsOf(leaf, mailCa), s.at);
    expect(go.trusted).toBe(false);
    expect(go.reason).toContain(`${mailCa.cert.label} is restricted to emailProtection (extendedKeyUsage), not serverAuth [extended-key-usage]`);
    const clientOnly = await s.pki.leaf("client.example.test", mailCa, { extendedKeyUsage: ["1.3.6.1.5.5.7.3.2"] });
    expect(checkServedChain(client("java", root), certsOf(clientOnly, mailCa), s.at).trusted).toBe(false);
  });
});

describe("greedy path builders and same-key twins", () => {
  it("OpenSSL and GnuTLS take the first twin served and fail; path-searching clients find the other", async () => {
    const le = await letsEncrypt();
    const at = new Date("2021-02-01");
    const served = certsOf(le.x3Leaf, le.x3ByDst, le.x3ByX1);
    // x3ByDst expired on 2021-03-17: valid on this day, so OpenSSL's preference for valid issuers does not help.
    const onlyX1 = (id: BehaviourId) => checkServedChain(client(id, le.x1), served, at);
    expect(onlyX1("openssl")).toMatchObject({ trusted: false, decidedBy: "first-path" });
    expect(onlyX1("gnutls")).toMatchObject({ trusted: false, decidedBy: "first-path" });
    for (const id of ["go", "nss", "java", "webpki"] as const) expect(onlyX1(id).trusted).toBe(true);
  });
});
