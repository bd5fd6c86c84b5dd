/** probeMany over real loopback endpoints: bounded concurrency, progress, order, failures kept apart. */
import * as net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { probeMany } from "../../../probe/probe-many";
import { Pki, type Issued } from "../../../harness/pki";
import { freePort, startNodeTlsServer, startTcpServer } from "../../../harness/tls-servers";

let leaf: Issued, ca: Issued;

beforeAll(async () => {
  const pki = new Pki();
  ca = await pki.intermediate("Many CA", await pki.root("Many Root"));
  leaf = await pki.leaf("many.probe.test", ca);
});

describe("probeMany", () => {
  it("runs at most `concurrency` probes at once", async () => {
    const accepted: number[] = [];
    // Silent: each probe holds its connection until its own timeout, so probes run in waves.
    const silent = await startTcpServer((socket: net.Socket) => {
      accepted.push(Date.now());
      socket.resume();
    });
    try {
      const endpoints = Array.from({ length: 6 }, () => ({ host: silent.host, port: silent.port, timeoutMs: 150 }));
      const started = Date.now();
      const outcomes = await probeMany(endpoints, { concurrency: 2 });
      expect(outcomes.map((o) => (o.ok ? "ok" : o.error.code))).toEqual(Array(6).fill("timeout"));
      // Three waves of two: the last pair starts only after two timeouts have passed.
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 150 - 10);
      expect(accepted[4] - started).toBeGreaterThanOrEqual(2 * 150 - 10);
      await silent.drained();
    } finally {
      await silent.close();
    }
  });

  it("returns outcomes in input order, reports progress for each, and keeps failures apart", async () => {
    const server = await startNodeTlsServer({ chains: [{ certificates: [leaf, ca] }] });
    const refused = await freePort();
    try {
      const endpoints = [
        { host: server.host, port: server.port, servername: "many.probe.test" },
        { host: "127.0.0.1", port: refused },
        { host: server.host, port: server.port, servername: "many.probe.test", tls: "1.2" as const },
        { host: "", port: 443 },
      ];
      const progress: number[] = [];
      const outcomes = await probeMany(endpoints, { concurrency: 3, onProgress: (done, total) => progress.push(done * 10 + total) });
      expect(progress).toEqual([14, 24, 34, 44]);
      expect(outcomes.map((o) => o.endpoint)).toEqual(endpoints);
      expect(outcomes.map((o) => (o.ok ? o.result.tlsVersion : o.error.code))).toEqual(["TLSv1.3", "connection-refused", "TLSv1.2", "bad-endpoint"]);
      const first = outcomes[0];
      expect(first.ok && first.result.certificates.map((c) => c.sha256)).toEqual([leaf.cert.sha256, ca.cert.sha256]);
    } finally {
      await server.close();
    }
  });

  it("refuses a concurrency that is not a whole number of at least 1", async () => {
    await expect(probeMany([], { concurrency: 0 })).rejects.toBeInstanceOf(ChainsmithInputError);
    await expect(probeMany([], { concurrency: 0 })).rejects.toThrow(/concurrency 0 is not a whole number of at least 1/);
  });
});
