// Prints the agreement table of chainsmith, Go's crypto/x509 and OpenSSL on BetterTLS's
// pathbuilding suite and chainsmith's validation corpus, and every departure from the
// expected verdicts. The integration test test/integration/chain/peers.test.ts asserts
// the same runs. Run: npx tsc -p tsconfig.json && npx vite-node scripts/validation-agreement.ts
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expectedOf, validationCorpus } from "../harness/validation/corpus";
import { Row, agreementTable, betterTlsQuestions, departures, judgeAll } from "../harness/validation/agreement";
import { betterTlsPathbuilding } from "../harness/validation/validators";

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-agreement-"));
  try {
    const at = new Date();
    const exported = await betterTlsPathbuilding(path.join(dir, "bettertls.json"));
    const better = betterTlsQuestions(exported.trustRoot, exported.cases, at);
    const corpus = await validationCorpus();
    const corpusQuestions = corpus.map((c) => ({ id: c.id, leaf: c.leaf.cert, pool: c.pool.map((i) => i.cert), anchors: c.anchors.map((i) => i.cert), at: c.at }));
    const betterVerdicts = await judgeAll(better, path.join(dir, "bettertls"));
    const corpusVerdicts = await judgeAll(corpusQuestions, path.join(dir, "corpus"));
    const betterRows: Row[] = exported.cases.map((c, i) => ({ id: better[i].id, expected: c.expected, verdicts: betterVerdicts.get(better[i].id)! }));
    const corpusRows: Row[] = corpus.map((c) => ({ id: c.id, expected: c.expected, verdicts: corpusVerdicts.get(c.id)! }));
    console.log(agreementTable([{ name: "BetterTLS pathbuilding", rows: betterRows }, { name: "chainsmith corpus (x509-limbo style)", rows: corpusRows }]));
    console.log("\nDepartures from the expected verdicts:");
    for (const line of [...departures(betterRows), ...departures(corpusRows)]) {
      const c = corpus.find((k) => line.startsWith(`${k.id}:`));
      const validator = line.split(": ")[1]?.split(" ")[0] as "chainsmith" | "go" | "openssl";
      const why = c?.differs?.[validator]?.why;
      console.log(`  ${line}${why ? ` -- documented: ${why}` : c && expectedOf(c, validator) !== c.expected ? "" : " -- NOT DOCUMENTED"}`);
    }
    for (const r of [...betterRows, ...corpusRows]) {
      if (r.verdicts.chosen && r.verdicts.goOnChosen !== "accept") console.log(`  ${r.id}: Go ${r.verdicts.goOnChosen}s chainsmith's chosen chain${r.verdicts.go === "reject" ? " (Go rejects the case itself)" : ""}`);
      if (r.verdicts.chosen && r.verdicts.opensslOnChosen !== "accept") console.log(`  ${r.id}: OpenSSL ${r.verdicts.opensslOnChosen}s chainsmith's chosen chain${r.verdicts.openssl === "reject" ? " (OpenSSL rejects the case itself)" : ""}`);
    }
    const exits = [...betterRows, ...corpusRows].filter((r) => r.verdicts.exitCode !== 0 && r.verdicts.exitCode !== 1);
    for (const r of exits) console.log(`  chainsmith exited ${r.verdicts.exitCode} on ${r.id}: ${r.verdicts.stderr.split("\n")[0]}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
