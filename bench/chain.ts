/**
 * Benchmark: time per chain choice (choosePath, policy widest, 4 client profiles) on a
 * 2,000-certificate pool with cross-signs and decoys, beside `openssl verify -untrusted
 * pool.pem -CAfile roots.pem leaf.pem` on the same files.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/chain.js
 *
 *
 * The pool: Sectigo's RSA and ECC hierarchies with every cross-sign (the self-signed R46
 * beside the cross-signed one), 1,000 decoys named like the leaf's issuer R36 (right name,
 * wrong key), and other same-named decoys of 33 unrelated CA names to fill 2,000
 * certificates. In the fixture R36 has a P-256 key, so the leaf's signature is ECDSA: its
 * possible signers are recovered once and each decoy costs a key comparison
 * (chain/ecdsa-signers), where a verification each would cost about 80 ms.
 * openssl stops at the first chain it finds and skips candidates whose SKI differs from the
 * AKI; chainsmith checks every candidate to enumerate every path. Signature results are
 * cached per (certificate, issuer), so the first choice is the cold figure. openssl's
 * time includes reading the files; chainsmith's parse time is printed apart.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Certificate } from "../chain/certificate";
import { parseCertificates } from "../chain/parse";
import { choosePath } from "../chain/policy";
import { ClientProfile, loadProfile } from "../chain/profiles";
import { Issued, Pki } from "../harness/pki";
import { decoys, sectigo } from "../harness/scenarios";

const POOL_SIZE = 2000;
const SAME_NAME_DECOYS = 1000;
const OPENSSL_RUNS = 10;
const REPEATS = 20;

async function main(): Promise<void> {
  const generation = performance.now();
  const s = await sectigo();
  const pool: Issued[] = [...s.rsaPool, ...s.eccPool];
  const ecdsaDecoys = await decoys(s.pki, s.r36.name, s.r46, SAME_NAME_DECOYS);
  pool.push(...ecdsaDecoys);
  for (let n = 0; pool.length < POOL_SIZE; n++) {
    pool.push(...(await decoys(s.pki, `Filler CA ${n}`, n % 2 ? s.usertrustRsa : s.aaa, Math.min(30, POOL_SIZE - pool.length))));
  }
  const freshLeaves: Issued[] = [];
  for (let i = 0; i < 10; i++) freshLeaves.push(await s.pki.leaf(`host${i}.example.test`, s.r36));
  const profiles: ClientProfile[] = [loadProfile("mozilla"), ...Object.values(s.profiles)];
  // Parsed from PEM like the files openssl reads: nothing is warm from the generation.
  const poolPem = Buffer.from(pool.map((p) => p.pem).join(""));
  const poolCerts = parseCertificates(poolPem, "pool.pem");
  const leafOf = (issued: Issued) => parseCertificates(issued.pem, `${issued.name}.pem`)[0];
  console.log(`pool: ${poolCerts.length} certificates (${SAME_NAME_DECOYS} decoys named '${s.r36.name}'), profiles: ${profiles.map((p) => `${p.name} (${p.roots.length} roots)`).join(", ")}`);
  console.log(`generated in ${((performance.now() - generation) / 1000).toFixed(1)} s\n`);

  const choose = (leaf: Certificate) => choosePath(leaf, poolCerts, { profiles, at: s.at, policy: "widest" });
  const time = (fn: () => unknown) => {
    const started = performance.now();
    fn();
    return performance.now() - started;
  };

  const leaf = leafOf(s.leaf);
  const eccLeaf = leafOf(s.eccLeaf);
  const rsaCold = time(() => choose(leaf));
  const rsaNewLeaf = freshLeaves.map((fresh) => leafOf(fresh)).map((fresh) => time(() => choose(fresh)));
  const rsaWarm = Array.from({ length: REPEATS }, () => time(() => choose(leaf)));
  const eccCold = time(() => choose(eccLeaf));
  const eccWarm = Array.from({ length: REPEATS }, () => time(() => choose(eccLeaf)));
  const chosen = choose(leaf);

  console.log(`chainsmith choosePath, widest (chosen: ${chosen.chain.length} certificates to ${chosen.anchor.commonName}, ${chosen.candidates.length} candidates)`);
  console.log(`  leaf of R36 (R46 hierarchy) behind ${SAME_NAME_DECOYS} same-name decoys, first choice (cold): ${ms(rsaCold)}`);
  console.log(`  a new leaf of R36 (upper checks cached), median of ${rsaNewLeaf.length}:                ${ms(median(rsaNewLeaf))}`);
  console.log(`  the same leaf again (all checks cached), median of ${REPEATS}:              ${ms(median(rsaWarm))}`);
  console.log(`  ECC leaf (no same-name decoys), first choice:                ${ms(eccCold)}`);
  console.log(`  ECC leaf again, median of ${REPEATS}:                                 ${ms(median(eccWarm))}`);

  // The same pool with an RSA-keyed CA in R36's place: RSA signatures give no key to recover,
  // so each same-named decoy costs one RSA verification. Decoys share one RSA key (key
  // generation would take minutes); results are cached per certificate, not per key.
  const rsaCa = await s.pki.intermediate("Bench RSA DV CA", s.r46, { keyType: "rsa", pathLen: 0 });
  const rsaDecoys = await decoys(s.pki, rsaCa.name, s.r46, SAME_NAME_DECOYS, { keyType: "rsa", sameKeyAs: s.usertrustRsa });
  const rsaLeaves: Issued[] = [];
  for (let i = 0; i < 11; i++) rsaLeaves.push(await s.pki.leaf(`rsa${i}.example.test`, rsaCa));
  const ecdsaDecoyIds = new Set(ecdsaDecoys.map((d) => d.cert.sha256));
  const rsaPool = [...poolCerts.filter((c) => !ecdsaDecoyIds.has(c.sha256)), rsaCa.cert, ...rsaDecoys.map((d) => d.cert)];
  const chooseRsa = (leaf: Certificate) => choosePath(leaf, rsaPool, { profiles, at: s.at, policy: "widest" });
  const rsaSignedCold = time(() => chooseRsa(rsaLeaves[0].cert));
  const rsaSignedNew = rsaLeaves.slice(1).map((leaf) => time(() => chooseRsa(leaf.cert)));
  console.log(`
  RSA-signed: leaf of an RSA CA behind ${SAME_NAME_DECOYS} same-name RSA decoys (${rsaPool.length} certificates), first choice: ${ms(rsaSignedCold)}`);
  console.log(`  RSA-signed: a new leaf of that CA, median of ${rsaSignedNew.length}:                                              ${ms(median(rsaSignedNew))}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-chain-"));
  fs.writeFileSync(path.join(dir, "pool.pem"), poolCerts.map((c) => c.pem).join(""));
  fs.writeFileSync(path.join(dir, "roots.pem"), profiles.flatMap((p) => p.roots).map((c) => c.pem).join(""));
  fs.writeFileSync(path.join(dir, "leaf.pem"), s.leaf.pem);
  fs.writeFileSync(path.join(dir, "ecc-leaf.pem"), s.eccLeaf.pem);
  const attime = String(Math.floor(s.at.getTime() / 1000));
  const openssl = (leafFile: string) => {
    const args = ["verify", "-attime", attime, "-untrusted", "pool.pem", "-CAfile", "roots.pem", leafFile];
    const out = execFileSync("openssl", args, { cwd: dir }).toString().trim();
    const runs = Array.from({ length: OPENSSL_RUNS }, () => time(() => execFileSync("openssl", args, { cwd: dir })));
    return { out, median: median(runs), command: `openssl ${args.join(" ")}` };
  };
  const parse = median(Array.from({ length: 5 }, () => time(() => parseCertificates(poolPem, "pool.pem"))));
  console.log(`  parsing pool.pem (${poolCerts.length} certificates) with chain/parse, median of 5: ${ms(parse)}`);
  const rsa = openssl("leaf.pem");
  const ecc = openssl("ecc-leaf.pem");
  console.log(`\n${rsa.command}   (in ${dir})`);
  console.log(`  R36 leaf: "${rsa.out}", median of ${OPENSSL_RUNS} runs: ${ms(rsa.median)} per run (process start included)`);
  console.log(`  ECC leaf: "${ecc.out}", median of ${OPENSSL_RUNS} runs: ${ms(ecc.median)} per run`);
  const bare = median(Array.from({ length: OPENSSL_RUNS }, () => time(() => execFileSync("openssl", ["version"]))));
  console.log(`  (openssl version alone: ${ms(bare)} per run)`);
  fs.rmSync(dir, { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
