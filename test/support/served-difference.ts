// What chainsmith says when a server does not send the desired chain, for tests that check a
// message carries it: the words come from chain/served-comparison-text.ts, never from a test.
import type { Certificate } from "../../chain/certificate";
import { chainEntry, compareServed } from "../../chain/served-comparison";
import { describeServedDifference } from "../../chain/served-comparison-text";

import * as fs from "node:fs";
import { parseCertificates } from "../../chain/parse";

/** A certificate, an issued fixture, or a PEM file's path. */
type Cert = Certificate | { cert: Certificate } | string;
const certOf = (c: Cert): Certificate => (typeof c === "string" ? parseCertificates(fs.readFileSync(c, "utf8"), c)[0] : "cert" in c ? c.cert : c);

export function servedDifference(desired: Cert[], served: Cert[]): string {
  const text = describeServedDifference(compareServed(desired.map((c) => chainEntry(certOf(c))), served.map((c) => chainEntry(certOf(c)))));
  if (text === undefined) throw new Error("servedDifference: the served chain is the desired one");
  return text;
}
