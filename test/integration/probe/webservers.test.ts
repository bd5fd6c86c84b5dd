/**
 * Real nginx, Apache, HAProxy and lighttpd on loopback serving a fullchain file: the probe reads
 * exactly the file's certificates, in its order, as `openssl s_client -showcerts` does,
 * over TLS 1.2 and TLS 1.3.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../../probe/probe";
import { Pki, pemOf, type Issued } from "../../../harness/pki";
import { freePort } from "../../../harness/tls-servers";
import { assertInstalled, startApache, startHaproxy, startLighttpd, startNginx, type TlsFiles, type WebServer } from "../../../harness/webservers";
import { opensslShowcerts } from "./openssl-showcerts";

const NAME = "web.probe.test";
let dir: string;
let served: Issued[];

beforeAll(async () => {
  const pki = new Pki();
  const root = await pki.root("Web Root", { keyType: "rsa" });
  const upper = await pki.intermediate("Web Upper CA", root);
  const issuing = await pki.intermediate("Web Issuing CA", upper);
  const leaf = await pki.leaf(NAME, issuing);
  // Out of order, with the root: the servers must send the file as it is.
  served = [leaf, upper, issuing, root];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-probe-web-"));
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, "fullchain.pem"), pemOf(...served));
  fs.writeFileSync(path.join(dir, "privkey.pem"), leaf.keyPem, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "haproxy.pem"), pemOf(...served) + leaf.keyPem, { mode: 0o600 });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface ServerUnderTest {
  binary: string;
  start: (files: TlsFiles) => Promise<WebServer>;
  files: () => Omit<TlsFiles, "port">;
  versions: Array<"1.2" | "1.3">;
}

const servers: Record<string, ServerUnderTest> = {
  nginx: { binary: "nginx", start: startNginx, files: () => ({ certPath: path.join(dir, "fullchain.pem"), keyPath: path.join(dir, "privkey.pem") }), versions: ["1.2", "1.3"] },
  apache2: { binary: "apache2", start: startApache, files: () => ({ certPath: path.join(dir, "fullchain.pem"), keyPath: path.join(dir, "privkey.pem") }), versions: ["1.2", "1.3"] },
  haproxy: { binary: "haproxy", start: startHaproxy, files: () => ({ certPath: path.join(dir, "haproxy.pem") }), versions: ["1.2", "1.3"] },
  lighttpd: { binary: "lighttpd", start: startLighttpd, files: () => ({ certPath: path.join(dir, "fullchain.pem"), keyPath: path.join(dir, "privkey.pem") }), versions: ["1.2", "1.3"] },
};

describe("probe vs openssl s_client on real web servers serving a fullchain file", () => {
  for (const [name, { binary, start, files, versions }] of Object.entries(servers)) {
    it(`${name}: the probe reads the file's chain, equal to s_client, over TLS ${versions.join(" and ")}`, async () => {
      assertInstalled(binary);
      const server = await start({ ...files(), port: await freePort() });
      try {
        for (const version of versions) {
          const result = await probe({ host: server.host, port: server.port, servername: NAME, tls: version });
          const probed = result.certificates.map((c) => c.sha256);
          expect(result.tlsVersion).toBe(`TLSv${version}`);
          expect(probed).toEqual(served.map((i) => i.cert.sha256));
          expect(probed).toEqual(await opensslShowcerts(server.host, server.port, { servername: NAME, tls: version }));
        }
      } finally {
        await server.stop();
      }
    });
  }
});
