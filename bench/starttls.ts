/**
 * Benchmark: reading the served chain after STARTTLS from a real Postfix (SMTP) and Dovecot
 * (IMAP) on loopback: probeMany beside an `openssl s_client -starttls <proto> -showcerts`
 * loop over the same endpoints. Runs as root (the servers are the test suite's).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/starttls.js
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { Protocol } from "../probe/endpoint";
import type { ProbeOptions } from "../probe/probe";
import { probeMany } from "../probe/probe-many";
import { Pki, pemOf } from "../harness/pki";
import { startDovecot, startPostfix } from "../harness/mail-servers";

const PROBES = 200;
/** Also the count of the one-at-a-time probe loop, which compares with it probe for probe. */
const OPENSSL_RUNS = 40;
const CONCURRENCY = 16;
const NAME = "bench.starttls.test";

async function main(): Promise<void> {
  const pki = new Pki();
  const root = await pki.root("Bench Mail Root");
  const ca = await pki.intermediate("Bench Mail CA", root);
  const leaf = await pki.leaf(NAME, ca);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-bench-starttls-"));
  fs.chmodSync(dir, 0o755);
  const files = { fullchainPath: path.join(dir, "fullchain.pem"), keyPath: path.join(dir, "privkey.pem") };
  fs.writeFileSync(files.fullchainPath, pemOf(leaf, ca));
  fs.writeFileSync(files.keyPath, leaf.keyPem, { mode: 0o600 });
  const [postfix, dovecot] = await Promise.all([startPostfix(files), startDovecot(files)]);
  try {
    console.log(`\nSTARTTLS benchmark: Postfix ${PROBES} probes and Dovecot ${PROBES} probes, chain of 2, concurrency ${CONCURRENCY}; openssl loop of ${OPENSSL_RUNS}; Node ${process.version}\n`);
    console.log(`${"method".padEnd(52)} ${"count".padStart(6)} ${"wall s".padStart(8)} ${"per s".padStart(8)}`);
    for (const [protocol, port] of [["smtp", postfix.ports.smtp], ["imap", dovecot.ports.imap]] as const) {
      const endpoint: ProbeOptions = { host: "127.0.0.1", port, servername: NAME, protocol };
      await probeMany([endpoint, endpoint]); // warm-up
      const openssl = await timed(() => opensslLoop(endpoint, OPENSSL_RUNS));
      const sequential = await timed(() => probeAll(Array.from({ length: OPENSSL_RUNS }, () => endpoint), 1));
      const probed = await timed(() => probeAll(Array.from({ length: PROBES }, () => endpoint), CONCURRENCY));
      const row = (name: string, count: number, ms: number) => console.log(`${name.padEnd(52)} ${String(count).padStart(6)} ${(ms / 1000).toFixed(2).padStart(8)} ${((count / ms) * 1000).toFixed(0).padStart(8)}`);
      row(`openssl s_client -starttls ${protocol} -showcerts loop`, OPENSSL_RUNS, openssl);
      row(`probeMany ${protocol}:// one at a time`, OPENSSL_RUNS, sequential);
      row(`probeMany ${protocol}:// (concurrency ${CONCURRENCY})`, PROBES, probed);
      console.log(`${"".padEnd(52)} probeMany / openssl = ${((PROBES / probed) / (OPENSSL_RUNS / openssl)).toFixed(1)}x\n`);
    }
  } finally {
    await Promise.all([postfix.stop(), dovecot.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function probeAll(endpoints: ProbeOptions[], concurrency: number): Promise<void> {
  const failed = (await probeMany(endpoints, { concurrency })).filter((o) => !o.ok);
  if (failed.length) throw new Error(`${failed.length} probes failed, e.g. ${(failed[0] as { error: Error }).error.message}`);
}

async function opensslLoop({ host, port, protocol }: ProbeOptions, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) => {
      const child = execFile("openssl", ["s_client", "-connect", `${host}:${port}`, "-servername", NAME, "-starttls", protocol as Protocol, "-showcerts"], (error, stdout) => {
        if (!stdout.includes("-----BEGIN CERTIFICATE-----")) return reject(new Error(`openssl s_client failed on port ${port}: ${error?.message ?? ""}`));
        resolve();
      });
      child.stdin?.end();
    });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
