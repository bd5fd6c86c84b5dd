import { beforeAll, describe, expect, it } from "vitest";
import { Certificate } from "../../../chain/certificate";
import { ChainBuildError, ChainsmithInputError } from "../../../chain/errors";
import { choosePath, parsePolicy } from "../../../chain/policy";
import { Pki } from "../../../harness/pki";
import { certsOf, profileOf, sectigo } from "../../../harness/scenarios";

const names = (chain: Certificate[]) => chain.map((c) => c.commonName);

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("policy specs", () => {
  it("parses the four policies", () => {
    expect(parsePolicy("widest")).toEqual({ kind: "widest" });
    expect(parsePolicy(" shortest ")).toEqual({ kind: "shortest" });
    expect(parsePolicy("anchor=ISRG Root X1")).toEqual({ kind: "anchor", match: "ISRG Root X1" });
    expect(parsePolicy("issuer=R3")).toEqual({ kind: "issuer", commonName: "R3" });
  });

  it("rejects unknown or empty policies with the accepted forms", () => {
    for (const bad of ["wide", "anchor=", "issuer", "longest=3"]) {
      const error = thrown(() => parsePolicy(bad));
      expect(error).toBeInstanceOf(ChainsmithInputError);
      expect((error as ChainsmithInputError).code).toBe("bad-policy");
      expect(error.message).toMatch(/widest|anchor=|issuer=/);
    }
  });
});

describe("choosing a chain (Sectigo R46 with USERTrust and AAA cross-signs)", () => {
  let s: Awaited<ReturnType<typeof sectigo>>;
  let choose: (policy: string, extra?: Partial<Parameters<typeof choosePath>[2]>) => ReturnType<typeof choosePath>;
  beforeAll(async () => {
    s = await sectigo();
    choose = (policy, extra = {}) =>
      choosePath(s.leaf.cert, certsOf(...s.rsaPool), { profiles: Object.values(s.profiles), at: s.at, policy, ...extra });
  });

  it("widest serves the cross-signs up to AAA so that every profile, the legacy one too, accepts it", () => {
    const choice = choose("widest");
    expect(names(choice.chain)).toEqual([
      "example.test",
      "Sectigo Public Server Authentication CA DV R36",
      "Sectigo Public Server Authentication Root R46",
      "USERTrust RSA Certification Authority",
    ]);
    expect(choice.chain[2].sha256).toBe(s.r46ByUsertrust.cert.sha256);
    expect(choice.anchor.sha256).toBe(s.aaa.cert.sha256);
    expect(choice.policy).toBe("widest");
    expect(choice.candidates.map((c) => [c.rank, c.profiles.length, c.chosen])).toEqual([
      [1, 3, true],
      [2, 2, false],
      [3, 1, false],
    ]);
    expect(choice.candidates[0].why).toBe("chosen by widest: 3 of 3 profiles, 4 served, anchor AAA Certificate Services");
    expect(choice.candidates[2].why).toBe("lost: satisfies 1 of 3 profiles, the winner 3 (not older, legacy)");
  });

  it("shortest serves leaf and R36 only, to the self-signed R46", () => {
    const choice = choose("shortest");
    expect(names(choice.chain)).toEqual(["example.test", "Sectigo Public Server Authentication CA DV R36"]);
    expect(choice.anchor.sha256).toBe(s.r46.cert.sha256);
    expect(choice.candidates[1].why).toBe("lost: serves 3 certificates, the winner 2");
  });

  it("anchor= matches a subject substring or a SHA-256 fingerprint", () => {
    expect(choose("anchor=USERTrust RSA").anchor.sha256).toBe(s.usertrustRsa.cert.sha256);
    expect(names(choose("anchor=usertrust rsa").chain)).toHaveLength(3);
    const fp = s.r46.cert.sha256.toUpperCase().match(/../g)!.join(":");
    expect(choose(`anchor=${fp}`).chain).toHaveLength(2);
    const error = thrown(() => choose("anchor=ISRG Root X1"));
    expect(error).toBeInstanceOf(ChainBuildError);
    expect(error.message).toContain("No valid path ends at an anchor matching 'ISRG Root X1'. Valid paths end at:");
    expect(error.message).toContain(s.aaa.cert.label);
  });

  it("issuer= picks the chain whose top certificate the named CA issued, and falls back to widest", () => {
    const byUsertrust = choose("issuer=USERTrust RSA Certification Authority");
    expect(byUsertrust.chain[byUsertrust.chain.length - 1].sha256).toBe(s.r46ByUsertrust.cert.sha256);
    expect(byUsertrust.candidates[1].why).toMatch(/lost: its top issuer is '(AAA Certificate Services|Sectigo Public Server Authentication Root R46)', not 'USERTrust RSA Certification Authority'/);
    expect(choose("issuer=Sectigo Public Server Authentication Root R46").chain).toHaveLength(2);
    const fallback = choose("issuer=R3");
    expect(fallback.chain).toHaveLength(4);
    expect(fallback.candidates[0].why).toBe("chosen by widest (no served chain has top issuer 'R3'): 3 of 3 profiles, 4 served, anchor AAA Certificate Services");
  });

  it("widest reaches the legacy profile exactly when a path through the cross-signs exists", () => {
    const without = choosePath(s.leaf.cert, certsOf(s.r36, s.r46ByUsertrust, s.r46), { profiles: Object.values(s.profiles), at: s.at });
    expect(without.candidates.some((c) => c.profiles.includes("legacy"))).toBe(false);
    expect(names(without.chain)).toHaveLength(3);
    expect(without.candidates[0].profiles).toEqual(["modern", "older"]);
  });

  it("on equal profiles prefers the oldest anchor, and says so", () => {
    const oneProfile = [profileOf("current", s.r46, s.usertrustRsa)];
    const choice = choosePath(s.leaf.cert, certsOf(...s.rsaPool), { profiles: oneProfile, at: s.at });
    expect(choice.anchor.sha256).toBe(s.usertrustRsa.cert.sha256);
    expect(choice.candidates[1].why).toBe(
      `lost: same profiles; its anchor ${s.r46.cert.label} (2021) is newer than ${s.usertrustRsa.cert.label} (2010)`,
    );
  });

  it("uses extra anchors for a private PKI and refuses to choose with no anchors at all", async () => {
    const pki = new Pki();
    const root = await pki.root("Private Root");
    const ca = await pki.intermediate("Private CA", root);
    const leaf = await pki.leaf("private.test", ca);
    const choice = choosePath(leaf.cert, certsOf(ca), { profiles: [], anchors: certsOf(root) });
    expect(names(choice.chain)).toEqual(["private.test", "Private CA"]);
    expect(choice.candidates[0].why).toBe("chosen: the only valid path (0 of 0 profiles, 2 served, anchor Private Root)");
    const error = thrown(() => choosePath(leaf.cert, certsOf(ca), { profiles: [] }));
    expect((error as ChainsmithInputError).code).toBe("no-anchors");
  });

  it("refuses an expired or not-yet-valid leaf as the user's to fix, not as a missing intermediate", async () => {
    const pki = new Pki();
    const root = await pki.root("Time Root");
    const leaf = await pki.leaf("time.test", root, { notBefore: new Date("2030-01-01T00:00:00Z"), notAfter: new Date("2031-01-01T00:00:00Z") });
    const choose = (at: string) => thrown(() => choosePath(leaf.cert, [], { profiles: [], anchors: certsOf(root), at: new Date(at) })) as ChainsmithInputError;
    const expired = choose("2032-06-01T00:00:00Z");
    expect(expired).toBeInstanceOf(ChainsmithInputError);
    expect(expired.code).toBe("leaf-expired");
    expect(expired.message).toBe(`The leaf ${leaf.cert.label} expired on 2031-01-01T00:00:00.000Z (checked at 2032-06-01T00:00:00.000Z). Renew it and give the new certificate.`);
    const early = choose("2029-06-01T00:00:00Z");
    expect(early.code).toBe("leaf-not-yet-valid");
    expect(early.message).toContain(`The leaf ${leaf.cert.label} is not valid before 2030-01-01T00:00:00.000Z (checked at 2029-06-01T00:00:00.000Z)`);
    expect(choosePath(leaf.cert, [], { profiles: [], anchors: certsOf(root), at: new Date("2030-06-01T00:00:00Z") }).chain).toEqual([leaf.cert]);
  });

  it("refuses a CA certificate given as the leaf (swapped files)", () => {
    const error = thrown(() => choosePath(s.r36.cert, certsOf(s.leaf, s.r46ByUsertrust), { profiles: Object.values(s.profiles), at: s.at }));
    expect((error as ChainsmithInputError).code).toBe("leaf-is-ca");
    expect(error.message).toContain("Pass the server's own certificate as the leaf");
  });
});
