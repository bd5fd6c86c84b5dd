// The certificate inputs of a deployment read as values, and the validity time of the
// choice, which keeps the explanation the same from one preview to the next.
import { beforeAll, describe, expect, it } from "vitest";
import { readMaterial, validityTime } from "../../../components/certificate-material";
import { writePfx } from "../../../chain/pfx-write";
import { Pki, pemOf, type Issued } from "../../../harness/pki";

const now = new Date("2026-11-23T13:20:00Z");
let pki: Pki;
let root: Issued;
let ca: Issued;
let leaf: Issued;

beforeAll(async () => {
  pki = new Pki({ now });
  root = await pki.root("Material Root");
  ca = await pki.intermediate("Material CA", root);
  leaf = await pki.leaf("material.test", ca);
});

describe("readMaterial", () => {
  it("takes the first certificate as the leaf and the rest, with the pool, as candidates", () => {
    const m = readMaterial({ certificate: pemOf(leaf, ca), pool: pemOf(ca, root) });
    expect(m.leaf.sha256).toBe(leaf.cert.sha256);
    expect(m.pool.map((c) => c.sha256)).toEqual([ca.cert.sha256, root.cert.sha256]);
    expect(m.key).toBeUndefined();
  });

  it("opens a PFX: leaf, key and the certificates in it", () => {
    const pfx = writePfx([leaf.cert, ca.cert], leaf.key.privateKey, "pw-81c", { profile: "modern" }).toString("base64");
    const m = readMaterial({ pfx, pfxPassword: "pw-81c" });
    expect(m.leaf.sha256).toBe(leaf.cert.sha256);
    expect(m.pool.map((c) => c.sha256)).toEqual([ca.cert.sha256]);
    expect(m.key?.asymmetricKeyType).toBe(leaf.key.privateKey.asymmetricKeyType);
  });

  it("a PFX without its password says to give it, without echoing anything secret", () => {
    const pfx = writePfx([leaf.cert], leaf.key.privateKey, "pw-81c", { profile: "modern" }).toString("base64");
    expect(() => readMaterial({ pfx })).toThrow(/A pfx was given without pfxPassword\. Give its password as a secret\./);
  });

  it("a PFX with the wrong password, or cut short, says which, without echoing the password", () => {
    const bytes = writePfx([leaf.cert], leaf.key.privateKey, "pw-81c", { profile: "modern" });
    const wrong = (() => {
      try {
        readMaterial({ pfx: bytes.toString("base64"), pfxPassword: "guess-7f3" });
      } catch (e) {
        return e as Error & { code?: string };
      }
      throw new Error("expected an error");
    })();
    expect(wrong.code).toBe("pfx-wrong-password");
    expect(wrong.message).toMatch(/^the pfx: /);
    expect(wrong.message).not.toContain("guess-7f3");
    expect(wrong.message).not.toContain("pw-81c");
    const cut = bytes.subarray(0, bytes.length - 100).toString("base64");
    expect(() => readMaterial({ pfx: cut, pfxPassword: "pw-81c" })).toThrow(expect.objectContaining({ code: "pfx-corrupt" }));
  });
});

describe("validityTime", () => {
  it("is the start of the UTC day for certificates issued before it", () => {
    expect(validityTime({ leaf: root.cert, pool: [] }, now).toISOString()).toBe("2026-11-23T00:00:00.000Z");
  });

  it("is the notBefore of a certificate issued today, so that a fresh renewal counts as valid", async () => {
    const fresh = await pki.leaf("fresh.test", ca, { notBefore: new Date("2026-11-23T13:10:00Z") });
    expect(validityTime({ leaf: fresh.cert, pool: [ca.cert] }, now).toISOString()).toBe("2026-11-23T13:10:00.000Z");
  });

  it("ignores a certificate not valid yet", async () => {
    const future = await pki.intermediate("Future CA", root, { notBefore: new Date("2026-12-01T00:00:00Z") });
    expect(validityTime({ leaf: leaf.cert, pool: [future.cert] }, now).toISOString()).toBe("2026-11-23T00:00:00.000Z");
  });
});
