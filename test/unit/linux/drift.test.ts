import { describe, expect, it } from "vitest";
import { explainDrift, explainServedChain, type ChainEntry, type RecordedState } from "../../../providers/linux/drift";

const leaf: ChainEntry = { sha256: "a".repeat(64), label: "shop.example.test [aaaaaaaa]" };
const ca: ChainEntry = { sha256: "b".repeat(64), label: "Issuing CA R36 [bbbbbbbb]" };
const cross: ChainEntry = { sha256: "c".repeat(64), label: "New Root R46 [cccccccc]" };
const oldLeaf: ChainEntry = { sha256: "d".repeat(64), label: "shop.example.test [dddddddd]" };
const root: ChainEntry = { sha256: "e".repeat(64), label: "Old Root CA [eeeeeeee]" };
const expected = [leaf, ca, cross];

describe("explainServedChain", () => {
  it("is silent when the server sends exactly the expected chain", () => {
    expect(explainServedChain(expected, [leaf, ca, cross])).toBeUndefined();
  });

  it("says the leaf alone is sent, and which certificates are missing", () => {
    expect(explainServedChain(expected, [leaf])).toBe(
      'server sends 1 certificate, expected 3: the leaf only, missing Issuing CA R36 [bbbbbbbb], New Root R46 [cccccccc] (clients without them fail with "unable to get local issuer certificate")',
    );
  });

  it("names a dropped cross-sign as an incomplete chain", () => {
    expect(explainServedChain(expected, [leaf, ca])).toMatch(/^server sends 2 certificates, expected 3: an incomplete chain, missing New Root R46 \[cccccccc\]/);
  });

  it("tells another leaf apart (old files or no reload)", () => {
    expect(explainServedChain(expected, [oldLeaf, ca])).toBe(
      "server sends 2 certificates, expected 3: it serves another certificate, shop.example.test [dddddddd], instead of shop.example.test [aaaaaaaa] (old files, or the server was not reloaded)",
    );
  });

  it("reports the right certificates in the wrong order", () => {
    expect(explainServedChain(expected, [leaf, cross, ca])).toMatch(/the right certificates in the wrong order/);
  });

  it("reports an extra root sent after the chain", () => {
    expect(explainServedChain(expected, [leaf, ca, cross, root])).toBe("server sends 4 certificates, expected 3: unexpected Old Root CA [eeeeeeee]");
  });

  it("reports missing and unexpected certificates together", () => {
    expect(explainServedChain(expected, [leaf, ca, root])).toBe("server sends 3 certificates, expected 3: missing New Root R46 [cccccccc]; unexpected Old Root CA [eeeeeeee]");
  });

  it("handles an empty certificate list", () => {
    expect(explainServedChain(expected, [])).toBe("server sends 0 certificates, expected 3: no certificate at all");
  });
});

describe("explainDrift", () => {
  const recorded: RecordedState = {
    files: [
      { path: "/etc/nginx/tls/fullchain.pem", sha256: "1".repeat(64) },
      { path: "/etc/nginx/tls/privkey.pem", sha256: "2".repeat(64) },
    ],
    chain: expected,
    knownContents: [{ sha256: "3".repeat(64), description: "the leaf only" }],
  };

  it("is empty when files and served chain match", () => {
    expect(
      explainDrift(recorded, {
        files: [
          { path: "/etc/nginx/tls/fullchain.pem", sha256: "1".repeat(64) },
          { path: "/etc/nginx/tls/privkey.pem", sha256: "2".repeat(64) },
        ],
        endpoints: [{ endpoint: "web1:443", served: expected }],
      }),
    ).toEqual([]);
  });

  it("explains a fullchain replaced by the leaf alone, on disk and on the wire", () => {
    const reasons = explainDrift(recorded, {
      files: [
        { path: "/etc/nginx/tls/fullchain.pem", sha256: "3".repeat(64) },
        { path: "/etc/nginx/tls/privkey.pem", sha256: "2".repeat(64) },
      ],
      endpoints: [{ endpoint: "web1:443", served: [leaf] }],
    });
    expect(reasons).toEqual([
      "/etc/nginx/tls/fullchain.pem changed on the host: it now holds the leaf only",
      expect.stringMatching(/^web1:443: server sends 1 certificate, expected 3: the leaf only/),
    ]);
  });

  it("reports a missing file, an unknown change and an unreadable endpoint", () => {
    const reasons = explainDrift(recorded, {
      files: [
        { path: "/etc/nginx/tls/fullchain.pem", sha256: "9".repeat(64) },
        { path: "/etc/nginx/tls/privkey.pem", sha256: null },
      ],
      endpoints: [{ endpoint: "web1:443", error: "web1:443: connection refused" }],
    });
    expect(reasons).toEqual([
      "/etc/nginx/tls/fullchain.pem changed on the host",
      "/etc/nginx/tls/privkey.pem is missing on the host",
      "web1:443: cannot read the served chain (web1:443: connection refused)",
    ]);
  });
});
