/**
 * The probe reads exactly what a server sends: for each crafted chain on a real Node TLS
 * server on loopback, the probe's list equals the served list and what
 * `openssl s_client -showcerts` prints, certificate by certificate.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Pki, type Issued } from "../../../harness/pki";
import { startNodeTlsServer, type NodeTlsServerOptions } from "../../../harness/tls-servers";
import { probe, type ProbeOptions } from "../../../probe/probe";
import { opensslShowcerts, type ShowcertsOptions } from "./openssl-showcerts";

const RSA_SIGALGS = "rsa_pss_rsae_sha256:rsa_pkcs1_sha256";
const ECDSA_SIGALGS = "ecdsa_secp256r1_sha256";

let root: Issued, ica1: Issued, ica2: Issued, leaf: Issued, stranger: Issued;
let rsaRoot: Issued, rsaIca: Issued, rsaLeaf: Issued;
let otherIca: Issued, otherLeaf: Issued;

beforeAll(async () => {
  const pki = new Pki();
  root = await pki.root("Probe Root");
  ica2 = await pki.intermediate("Probe Upper CA", root);
  ica1 = await pki.intermediate("Probe Issuing CA", ica2);
  leaf = await pki.leaf("www.probe.test", ica1);
  stranger = await pki.root("Unrelated Root");
  rsaRoot = await pki.root("Probe RSA Root", { keyType: "rsa" });
  rsaIca = await pki.intermediate("Probe RSA CA", rsaRoot, { keyType: "rsa" });
  rsaLeaf = await pki.leaf("www.probe.test", rsaIca, { keyType: "rsa" });
  otherIca = await pki.intermediate("Other Tenant CA", root);
  otherLeaf = await pki.leaf("other.probe.test", otherIca);
});

/** Starts the server, probes it and runs s_client against it; returns the three lists of fingerprints. */
async function compare(server: NodeTlsServerOptions, probeOptions: Partial<ProbeOptions> = {}, showcerts: ShowcertsOptions = {}) {
  const running = await startNodeTlsServer(server);
  try {
    const result = await probe({ host: running.host, port: running.port, servername: "www.probe.test", ...probeOptions });
    const openssl = await opensslShowcerts(running.host, running.port, {
      servername: probeOptions.servername ?? "www.probe.test",
      tls: probeOptions.tls === "auto" ? undefined : probeOptions.tls,
      ...showcerts,
    });
    return { result, probed: result.certificates.map((c) => c.sha256), openssl };
  } finally {
    await running.close();
  }
}

const fingerprints = (...issued: Issued[]) => issued.map((i) => i.cert.sha256);

describe("probe reads the chain as sent, equal to openssl s_client -showcerts", () => {
  const cases: Array<[string, () => Issued[]]> = [
    ["a correct chain", () => [leaf, ica1, ica2]],
    ["the wrong order", () => [leaf, ica2, ica1]],
    ["an extra unrelated certificate", () => [leaf, ica1, stranger, ica2]],
    ["the root included", () => [leaf, ica1, ica2, root]],
    ["duplicates", () => [leaf, ica1, ica1, ica2, ica2]],
    ["a missing intermediate", () => [leaf, ica2]],
    ["the leaf alone", () => [leaf]],
  ];
  for (const version of ["1.2", "1.3"] as const) {
    for (const [name, chain] of cases) {
      it(`${name} over TLS ${version}`, async () => {
        const served = chain();
        const { result, probed, openssl } = await compare({ chains: [{ certificates: served }] }, { tls: version });
        expect(result.tlsVersion).toBe(`TLSv${version}`);
        expect(probed).toEqual(fingerprints(...served));
        expect(probed).toEqual(openssl);
      });
    }
  }

  it("a chain larger than one TLS record (records and messages reassembled) over TLS 1.2 and 1.3", async () => {
    const served = [leaf, ...Array.from({ length: 40 }, () => rsaIca), ica1];
    for (const version of ["1.2", "1.3"] as const) {
      const { probed, openssl } = await compare({ chains: [{ certificates: served }] }, { tls: version });
      expect(probed).toEqual(fingerprints(...served));
      expect(probed).toEqual(openssl);
    }
  });

  it("a TLS 1.2-only server, probed with auto", async () => {
    const { result, probed, openssl } = await compare({ chains: [{ certificates: [leaf, ica1] }], maxVersion: "TLSv1.2" });
    expect(result.tlsVersion).toBe("TLSv1.2");
    expect(result.cipher).toMatch(/^TLS_ECDHE_ECDSA_/);
    expect(probed).toEqual(fingerprints(leaf, ica1));
    expect(probed).toEqual(openssl);
  });

  it("a TLS 1.3-only server, probed with auto", async () => {
    const { result, probed, openssl } = await compare({ chains: [{ certificates: [leaf, ica1] }], minVersion: "TLSv1.3" });
    expect(result.tlsVersion).toBe("TLSv1.3");
    expect(probed).toEqual(fingerprints(leaf, ica1));
    expect(probed).toEqual(openssl);
  });

  for (const cipher of ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]) {
    it(`TLS 1.3 records protected with ${cipher} are decrypted`, async () => {
      const { result, probed, openssl } = await compare({ chains: [{ certificates: [leaf, ica1, ica2] }], minVersion: "TLSv1.3", ciphers: cipher });
      expect(result.cipher).toBe(cipher);
      expect(probed).toEqual(fingerprints(leaf, ica1, ica2));
      expect(probed).toEqual(openssl);
    });
  }

  it("a HelloRetryRequest (server wants P-256, Node offers an X25519 key share)", async () => {
    const { result, probed, openssl } = await compare({ chains: [{ certificates: [leaf, ica1] }], minVersion: "TLSv1.3", ecdhCurve: "P-256" });
    expect(result.helloRetryRequest).toBe(true);
    expect(probed).toEqual(fingerprints(leaf, ica1));
    expect(probed).toEqual(openssl);
  });

  for (const version of ["1.2", "1.3"] as const) {
    it(`RSA and ECDSA certificates on one port are read separately over TLS ${version}`, async () => {
      const server: NodeTlsServerOptions = { chains: [{ certificates: [rsaLeaf, rsaIca] }, { certificates: [leaf, ica1, ica2] }] };
      const rsa = await compare(server, { tls: version, keyType: "rsa" }, { sigalgs: RSA_SIGALGS });
      expect(rsa.probed).toEqual(fingerprints(rsaLeaf, rsaIca));
      expect(rsa.probed).toEqual(rsa.openssl);
      expect(rsa.result.certificates[0].key.type).toBe("RSA");
      const ecdsa = await compare(server, { tls: version, keyType: "ecdsa" }, { sigalgs: ECDSA_SIGALGS });
      expect(ecdsa.probed).toEqual(fingerprints(leaf, ica1, ica2));
      expect(ecdsa.probed).toEqual(ecdsa.openssl);
      expect(ecdsa.result.certificates[0].key.type).toBe("EC");
    });
  }

  for (const version of ["1.2", "1.3"] as const) {
    it(`per-SNI chains over TLS ${version}`, async () => {
      const server: NodeTlsServerOptions = {
        chains: [{ certificates: [leaf, ica1, ica2] }],
        sni: { "other.probe.test": [{ certificates: [otherLeaf, otherIca, root] }] },
      };
      const other = await compare(server, { tls: version, servername: "other.probe.test" });
      expect(other.probed).toEqual(fingerprints(otherLeaf, otherIca, root));
      expect(other.probed).toEqual(other.openssl);
      const main = await compare(server, { tls: version, servername: "www.probe.test" });
      expect(main.probed).toEqual(fingerprints(leaf, ica1, ica2));
      expect(main.probed).toEqual(main.openssl);
    });
  }

  for (const version of ["1.2", "1.3"] as const) {
    it(`reports a stapled OCSP response over TLS ${version}, and its absence`, async () => {
      const stapled = await compare({ chains: [{ certificates: [leaf, ica1] }], ocspResponse: Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x06]) }, { tls: version });
      expect(stapled.result.ocspStapled).toBe(true);
      const plain = await compare({ chains: [{ certificates: [leaf, ica1] }] }, { tls: version });
      expect(plain.result.ocspStapled).toBe(false);
    });
  }

  it("never resumes a session: every probe of one server performs a full handshake and reads the chain", async () => {
    const running = await startNodeTlsServer({ chains: [{ certificates: [leaf, ica1] }] });
    try {
      for (let i = 0; i < 3; i++) {
        const result = await probe({ host: running.host, port: running.port, servername: "www.probe.test" });
        expect(result.certificates.map((c) => c.sha256)).toEqual(fingerprints(leaf, ica1));
      }
      await running.drained();
    } finally {
      await running.close();
    }
  });
});
