import { describe, expect, it } from "vitest";
import { CertificateCache } from "../../../probe/certificate-cache";
import { Pki } from "../../../harness/pki";

describe("CertificateCache", () => {
  it("parses a DER once, and evicts the least recently used beyond its limit", async () => {
    const pki = new Pki();
    const root = await pki.root("Cache Root");
    const [a, b, c] = await Promise.all(["a.test", "b.test", "c.test"].map((name) => pki.leaf(name, root)));
    const cache = new CertificateCache(2);
    const first = cache.fromDer(a.cert.der, "a");
    expect(cache.fromDer(Buffer.from(a.cert.der), "a again")).toBe(first);
    expect(first.sha256).toBe(a.cert.sha256);
    const firstB = cache.fromDer(b.cert.der, "b");
    cache.fromDer(a.cert.der, "a, now the most recent");
    cache.fromDer(c.cert.der, "c evicts b");
    expect(cache.size).toBe(2);
    expect(cache.fromDer(a.cert.der, "a")).toBe(first);
    expect(cache.fromDer(b.cert.der, "b, parsed again")).not.toBe(firstB);
  });

  it("names the source of a DER that is not a certificate", () => {
    expect(() => new CertificateCache(2).fromDer(Buffer.from("not a certificate"), "certificate 2 sent by x:443")).toThrow(/certificate 2 sent by x:443: not a valid X\.509 certificate/);
  });
});
