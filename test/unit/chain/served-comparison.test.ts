import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compareServed, type ChainEntry } from "../../../chain/served-comparison";
import { describeServedDifference } from "../../../chain/served-comparison-text";

const entry = (c: string, label: string, more: Partial<ChainEntry> = {}): ChainEntry => ({ sha256: c.repeat(64), label: `${label} [${c.repeat(8)}]`, ...more });
const leaf = entry("a", "shop.example.test", { subject: "CN=shop.example.test", issuer: "Issuing CA R36" });
const ca = entry("b", "Issuing CA R36", { subject: "CN=Issuing CA R36", issuer: "New Root R46" });
const cross = entry("c", "New Root R46", { subject: "CN=New Root R46", issuer: "Old Root CA" });
const selfSignedTwin = entry("f", "New Root R46", { subject: "CN=New Root R46", issuer: "New Root R46", selfSigned: true });
const oldLeaf = entry("d", "shop.example.test", { subject: "CN=shop.example.test" });
const oldRoot = entry("e", "Old Root CA", { subject: "CN=Old Root CA", selfSigned: true });
const stray = entry("9", "Unrelated CA", { subject: "CN=Unrelated CA", issuer: "Old Root CA" });
const desired = [leaf, ca, cross];

// Every kind of difference, by the served chain that shows it.
const cases: [string, ChainEntry[]][] = [
  ["same", [leaf, ca, cross]],
  ["nothing-served", []],
  ["other-leaf", [oldLeaf, ca]],
  ["missing-intermediates", [leaf]],
  ["missing-intermediates", [leaf, ca]],
  ["extra-root", [leaf, ca, cross, oldRoot]],
  ["extra-certificates", [leaf, ca, cross, stray]],
  ["wrong-order", [leaf, cross, ca]],
  ["other-certificates", [leaf, ca, selfSignedTwin]],
  ["other-certificates", [leaf, ca, stray]],
];

describe("comparing a served chain with the desired one", () => {
  it.each(cases)("%s", (code, served) => {
    expect(compareServed(desired, served).code).toBe(code);
  });

  it("lists what is missing and unexpected, and the same-named twin at its position", () => {
    const c = compareServed(desired, [leaf, ca, selfSignedTwin]);
    expect(c.missing).toEqual([cross]);
    expect(c.unexpected).toEqual([selfSignedTwin]);
    expect(c.twins).toEqual([{ position: 2, served: selfSignedTwin, desired: cross }]);
  });

  it("never takes a same-named certificate for the desired one: fingerprints decide", () => {
    expect(compareServed(desired, [leaf, ca, { ...cross, sha256: selfSignedTwin.sha256 }]).code).not.toBe("same");
  });

  it("says nothing when the chain is the desired one", () => {
    expect(describeServedDifference(compareServed(desired, desired))).toBeUndefined();
  });

  // The words, all in one place: change served-comparison-text.ts and this golden file together.
  it("renders every difference as in the golden text", () => {
    const rendered = cases.filter(([code]) => code !== "same").map(([code, served]) => `${code}: ${describeServedDifference(compareServed(desired, served))}`).join("\n") + "\n";
    const golden = path.join(__dirname, "served-comparison.golden.txt");
    if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(golden, rendered);
    expect(rendered).toBe(fs.readFileSync(golden, "utf8"));
  });
});
