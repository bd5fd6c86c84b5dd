/**
 * Every way a probe can fail has a clear, typed error, never hangs, and leaves no socket
 * open. Each case uses a real server on loopback (or none, for refused connections).
 */
import * as http from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { ProbeError } from "../../../probe/errors";
import { probe, type ProbeOptions } from "../../../probe/probe";
import { Pki, type Issued } from "../../../harness/pki";
import { freePort, startNodeTlsServer, startOpenSslServer, startTcpServer } from "../../../harness/tls-servers";

let leaf: Issued, ica: Issued, namedLeaf: Issued, rsaOnlyLeaf: Issued;

beforeAll(async () => {
  const pki = new Pki();
  const root = await pki.root("Errors Root");
  ica = await pki.intermediate("Errors CA", root);
  leaf = await pki.leaf("default.errors.test", ica);
  namedLeaf = await pki.leaf("known.errors.test", ica);
  rsaOnlyLeaf = await pki.leaf("rsa.errors.test", ica, { keyType: "rsa" });
});

async function probeError(options: ProbeOptions): Promise<ProbeError> {
  const error = await probe(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProbeError);
  return error as ProbeError;
}

describe("probe errors", () => {
  it("connection refused", async () => {
    const port = await freePort();
    const error = await probeError({ host: "127.0.0.1", port });
    expect(error.code).toBe("connection-refused");
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toMatch(/nothing listens/);
  });

  it("DNS failure", async () => {
    // A 64-character label is not a valid DNS name: the resolver fails before sending
    // any query, so the test stays on loopback.
    const host = `${"x".repeat(64)}.invalid`;
    const error = await probeError({ host, port: 443 });
    expect(error.code).toBe("dns-failure");
    expect(error.message).toContain(`cannot resolve "${host}"`);
  });

  it("timeout: a server that accepts and never answers; the probe gives up on time and closes", async () => {
    // Reads the ClientHello (so it notices when the probe hangs up) and never answers.
    const silent = await startTcpServer((socket) => socket.resume());
    try {
      const started = Date.now();
      const error = await probeError({ host: silent.host, port: silent.port, timeoutMs: 300 });
      expect(error.code).toBe("timeout");
      expect(error.message).toMatch(/no answer within 300 ms while in the TLS handshake/);
      expect(Date.now() - started).toBeLessThan(15_000);
      await silent.drained();
    } finally {
      await silent.close();
    }
  });

  it("not TLS: plain HTTP on the port", async () => {
    const server = http.createServer((_req, res) => res.end("hello"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const error = await probeError({ host: "127.0.0.1", port });
      expect(error.code).toBe("not-tls");
      expect(error.message).toMatch(/not TLS \(it began "HTTP\/1\.1 400 Bad Request"\)/);
    } finally {
      server.close();
    }
  });

  it("a server that closes the connection without answering", async () => {
    const closer = await startTcpServer((socket) => socket.destroy());
    try {
      const error = await probeError({ host: closer.host, port: closer.port });
      expect(error.code).toBe("connection-closed");
      expect(error.message).toMatch(/closed the connection without answering/);
    } finally {
      await closer.close();
    }
  });

  it("a server that answers with a malformed TLS handshake", async () => {
    // A handshake record holding a ServerHello one byte long.
    const garbled = await startTcpServer((socket) => socket.once("data", () => socket.write(Buffer.from("16030300050200000100", "hex"))));
    try {
      const error = await probeError({ host: garbled.host, port: garbled.port });
      expect(error.code).toBe("protocol-error");
      expect(error.message).toMatch(/ServerHello is truncated/);
    } finally {
      await garbled.close();
    }
  });

  it("a server that hangs up in the middle of the handshake", async () => {
    const half = await startTcpServer((socket) => socket.once("data", () => socket.end(Buffer.from("160303", "hex"))));
    try {
      const error = await probeError({ host: half.host, port: half.port });
      expect(error.code).toBe("connection-closed");
      expect(error.message).toMatch(/closed the connection in the middle of the TLS handshake/);
    } finally {
      await half.close();
    }
  });

  it("handshake alert, with its name: a TLS 1.3-only server probed with TLS 1.2", async () => {
    const server = await startNodeTlsServer({ chains: [{ certificates: [leaf, ica] }], minVersion: "TLSv1.3" });
    try {
      const error = await probeError({ host: server.host, port: server.port, tls: "1.2" });
      expect(error.code).toBe("handshake-alert");
      expect(error.alert).toBe("protocol_version");
      expect(error.message).toMatch(/alert protocol_version\. The server may not speak TLS 1\.2/);
      await server.drained();
    } finally {
      await server.close();
    }
  });

  it("handshake alert protocol_version from a server that speaks only TLS 1.0 and 1.1: says so and what to change", async () => {
    const server = await startNodeTlsServer({ chains: [{ certificates: [leaf, ica] }], minVersion: "TLSv1", maxVersion: "TLSv1.1" });
    try {
      const error = await probeError({ host: server.host, port: server.port });
      expect(error.code).toBe("handshake-alert");
      expect(error.alert).toBe("protocol_version");
      expect(error.message).toContain("The server speaks neither TLS 1.2 nor 1.3 (only TLS 1.0 or 1.1, which current clients refuse): enable TLS 1.2 and 1.3 in its configuration.");
    } finally {
      await server.close();
    }
  });

  it("handshake alert: asking an RSA-only server for its ECDSA certificate", async () => {
    const server = await startNodeTlsServer({ chains: [{ certificates: [rsaOnlyLeaf, ica] }] });
    try {
      const error = await probeError({ host: server.host, port: server.port, keyType: "ecdsa" });
      expect(error.code).toBe("handshake-alert");
      expect(error.alert).toBe("handshake_failure");
      expect(error.message).toMatch(/no ECDSA certificate/);
    } finally {
      await server.close();
    }
  });

  it("a server that requires a client certificate: TLS 1.2 names the alert and says why; TLS 1.3 still reads the chain", async () => {
    const server = await startNodeTlsServer({ chains: [{ certificates: [leaf, ica] }], requireClientCertificate: true });
    try {
      const error = await probeError({ host: server.host, port: server.port, tls: "1.2" });
      expect(error.code).toBe("handshake-alert");
      expect(error.alert).toBe("handshake_failure");
      expect(error.message).toMatch(/It had sent its certificates: a server that stops there usually requires a client certificate/);
      // A TLS 1.3 client has the whole server flight before it sends its (empty) certificate.
      const result = await probe({ host: server.host, port: server.port, tls: "1.3" });
      expect(result.certificates.map((c) => c.sha256)).toEqual([leaf.cert.sha256, ica.cert.sha256]);
    } finally {
      await server.close();
    }
  });

  for (const version of ["1.2", "1.3"] as const) {
    it(`unknown SNI: openssl s_server -servername_fatal sends unrecognized_name (TLS ${version})`, async () => {
      const server = await startOpenSslServer({
        chain: { certificates: [leaf, ica] },
        servername: "known.errors.test",
        namedLeaf,
        fatalOnUnknownName: true,
      });
      try {
        const known = await probe({ host: server.host, port: server.port, servername: "known.errors.test", tls: version });
        expect(known.certificates[0].sha256).toBe(namedLeaf.cert.sha256);
        const error = await probeError({ host: server.host, port: server.port, servername: "unknown.errors.test", tls: version });
        expect(error.code).toBe("unknown-sni");
        expect(error.alert).toBe("unrecognized_name");
        expect(error.message).toContain('no certificate for the name "unknown.errors.test"');
      } finally {
        await server.close();
      }
    });
  }

  it("bad input is a ChainsmithInputError with a stable code", async () => {
    await expect(probe({ host: "", port: 443 })).rejects.toMatchObject({ code: "bad-endpoint" });
    await expect(probe({ host: "127.0.0.1", port: 70000 })).rejects.toMatchObject({ code: "bad-endpoint" });
    await expect(probe({ host: "127.0.0.1", port: 443, tls: "1.1" as never })).rejects.toBeInstanceOf(ChainsmithInputError);
    await expect(probe({ host: "127.0.0.1", port: 443, timeoutMs: 0 })).rejects.toMatchObject({ code: "bad-probe-option" });
    // An SNI name with a control character (or any non-ASCII byte) is refused, never sent as given.
    await expect(probe({ host: "127.0.0.1", port: 443, servername: "a\x1bb\nc" })).rejects.toMatchObject({ code: "bad-servername", message: expect.stringContaining("a.b.c") });
    await expect(probe({ host: "127.0.0.1", port: 443, servername: "bücher.example" })).rejects.toMatchObject({ code: "bad-servername", message: expect.stringContaining("xn--") });
  });
});
