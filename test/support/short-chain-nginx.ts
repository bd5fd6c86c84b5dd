// The e2e tests' starting point for a Linux target: the demo PKI, and a real nginx on loopback
// serving the short chain (leaf and intermediate, no cross-sign: legacy clients fail), with a
// real sshd to deploy through. What a server has before chainsmith.
import * as fs from "node:fs";
import * as path from "node:path";
import { makeDemoPki, type DemoPki } from "../../examples/local-demo/demo-pki";
import { startSshd, type Sshd } from "../../harness/sshd";
import { freePort } from "../../harness/tls-servers";
import { startNginx, type WebServer } from "../../harness/webservers";

export interface ShortChainNginx {
  pki: DemoPki;
  /** The directory nginx reads fullchain.pem and privkey.pem from. */
  tlsDir: string;
  /** The pool: the intermediate, the cross-sign and the new root. */
  poolFile: string;
  sshd: Sshd;
  nginx: WebServer;
  stop(): Promise<void>;
}

export async function startShortChainNginx(dir: string): Promise<ShortChainNginx> {
  const read = (file: string) => fs.readFileSync(file, "utf8");
  const pki = makeDemoPki(path.join(dir, "pki"));
  const tlsDir = path.join(dir, "tls");
  fs.mkdirSync(tlsDir);
  fs.writeFileSync(path.join(tlsDir, "fullchain.pem"), read(pki.leaf.cert) + read(pki.intermediate));
  fs.copyFileSync(pki.leaf.key, path.join(tlsDir, "privkey.pem"));
  const poolFile = path.join(dir, "pool.pem");
  fs.writeFileSync(poolFile, read(pki.intermediate) + read(pki.crossSign) + read(pki.newRoot));
  const sshd = await startSshd();
  const nginx = await startNginx({ certPath: path.join(tlsDir, "fullchain.pem"), keyPath: path.join(tlsDir, "privkey.pem"), port: await freePort() });
  return {
    pki,
    tlsDir,
    poolFile,
    sshd,
    nginx,
    stop: async () => {
      await nginx.stop();
      await sshd.stop();
    },
  };
}
