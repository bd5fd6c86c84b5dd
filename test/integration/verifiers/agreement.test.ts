/**
 * chainsmith's verdicts against the real path validators that run here. For every case of
 * the corpus (test/support/verifier-corpus.ts) and every real verifier, given the same
 * roots and the same served chain (over TLS, from a loopback server, for the TLS clients),
 * chainsmith's verdict for a client with that verifier's behaviour model
 * (chain/client-behaviour.ts) must be the verifier's: a disagreement is either fixed in the
 * model or the test fails. The README's agreement table must be this run's
 * (UPDATE_AGREEMENT_TABLE=1 writes it there).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Certificate } from "../../../chain/certificate";
import { behaviour } from "../../../chain/client-behaviour";
import { checkServedChain, type ProfileVerdict } from "../../../chain/profiles";
import { Pki } from "../../../harness/pki";
import { certsOf } from "../../../harness/scenarios";
import { verifierCorpus, type CorpusCase } from "../../support/verifier-corpus";
import { REAL_VERIFIERS, servername, writeCorpusFiles, type RealVerdict } from "../../support/real-verifiers";
import { startNodeTlsServer, type RunningServer } from "../../../harness/tls-servers";

const README = path.resolve(__dirname, "../../../README.md");
const TABLE_START = "<!-- agreement-table:start -->";
const TABLE_END = "<!-- agreement-table:end -->";

let dir: string;
let server: RunningServer;
let aia: http.Server;
let cases: CorpusCase[];
let published: Certificate[];
let real: Map<string, RealVerdict>[];

beforeAll(async () => {
  // The caIssuers URLs of the corpus point here: what the clients that fetch AIA download.
  const files = new Map<string, Buffer>();
  aia = http.createServer((request, response) => {
    const der = files.get(request.url ?? "");
    response.writeHead(der ? 200 : 404, { "content-type": "application/pkix-cert" }).end(der);
  });
  await new Promise<void>((resolve) => aia.listen(0, "127.0.0.1", resolve));
  const corpus = await verifierCorpus(`http://127.0.0.1:${(aia.address() as AddressInfo).port}`);
  cases = corpus.cases;
  for (const p of corpus.published) files.set(p.path, p.issued.cert.der);
  published = corpus.published.map((p) => p.issued.cert);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-corpus-"));
  writeCorpusFiles(dir, cases);
  // The default certificate is unrelated: a context switched by SNI keeps the chain of a default context with the same leaf.
  const fallback = await new Pki().selfSignedLeaf("default.corpus.test");
  server = await startNodeTlsServer({ chains: [{ certificates: [fallback] }], sni: Object.fromEntries(cases.map((c) => [servername(c), [{ certificates: c.served }]])) });
  real = await Promise.all(REAL_VERIFIERS.map((v) => v.run({ dir, cases, server })));
});

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => aia?.close(resolve));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function ours(c: CorpusCase, verifier: (typeof REAL_VERIFIERS)[number]): ProfileVerdict {
  const profile = { name: verifier.name, description: `the roots of ${c.id}`, roots: certsOf(...c.roots), behaviour: behaviour(verifier.behaviour) };
  return checkServedChain(profile, certsOf(...c.served), new Date(), { aiaCertificates: published });
}

describe("chainsmith's verdicts agree with the real verifiers", () => {
  REAL_VERIFIERS.forEach((verifier, v) => {
    it(`${verifier.name}, modelled by the '${verifier.behaviour}' behaviour`, () => {
      const disagreements = cases.flatMap((c) => {
        const theirs = real[v].get(c.id)!;
        const mine = ours(c, verifier);
        return theirs.trusted === mine.trusted ? [] : [`${c.id} (${c.what}): ${verifier.name} says ${theirs.trusted ? "trusted" : "not trusted"} (${theirs.detail}); chainsmith says ${mine.trusted ? "trusted" : "not trusted"} (${mine.reason})`];
      });
      expect(disagreements, "fix the behaviour model (chain/client-behaviour.ts) or the path rules").toEqual([]);
    });
  });

  it("the README's agreement table is this run's", () => {
    let readme = fs.readFileSync(README, "utf8");
    if (process.env.UPDATE_AGREEMENT_TABLE) {
      readme = `${readme.slice(0, readme.indexOf(TABLE_START) + TABLE_START.length)}\n${agreementTable()}\n${readme.slice(readme.indexOf(TABLE_END))}`;
      fs.writeFileSync(README, readme);
    }
    const recorded = readme.slice(readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END)).trim();
    expect(recorded, `the verdicts changed: put this run's table between the ${TABLE_START} markers of README.md`).toBe(agreementTable());
  });
});

/** One row per case: each verifier's verdict (chainsmith's is the same, or a test above fails), and the behaviours that decided them. */
function agreementTable(): string {
  const header = ["case", ...REAL_VERIFIERS.map((v) => v.name), "what decided (chainsmith's model)"];
  const rows = cases.map((c) => {
    const cells = REAL_VERIFIERS.map((_, v) => (real[v].get(c.id)!.trusted ? "✓" : "✗"));
    const decided = new Map<string, string[]>();
    REAL_VERIFIERS.forEach((verifier) => {
      const by = ours(c, verifier).decidedBy;
      if (by) decided.set(by, [...(decided.get(by) ?? []), verifier.name]);
    });
    const why = [...decided].map(([by, names]) => `${names.join(", ")}: ${by}`).join("; ");
    return [`${c.id}: ${c.what}`, ...cells, why || "-"];
  });
  return [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}
