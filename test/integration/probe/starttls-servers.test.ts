/**
 * Real Postfix, Dovecot, PostgreSQL, vsftpd, Prosody and slapd on loopback, each serving one fullchain
 * file after its protocol's upgrade (and on its implicit-TLS ports): the probe reads exactly
 * the certificates sent, in their order, as `openssl s_client -starttls <proto> -showcerts`
 * does, over TLS 1.2 and 1.3; `chainsmith inspect smtp://...` prints that chain.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../cli/main";
import type { Protocol } from "../../../probe/endpoint";
import { probe } from "../../../probe/probe";
import { servedChainCheck } from "../../../providers/served-chain/methods";
import { Pki, pemOf, type Issued } from "../../../harness/pki";
import { startDovecot, startPostfix, type MailTlsFiles } from "../../../harness/mail-servers";
import { startPostgres, startProsody, startSlapd, startVsftpd } from "../../../harness/starttls-servers";
import { assertInstalled, type WebServer } from "../../../harness/webservers";
import { opensslShowcerts } from "./openssl-showcerts";

const NAME = "mail.probe.test";
let dir: string;
let served: Issued[];
let files: MailTlsFiles;

beforeAll(async () => {
  const pki = new Pki();
  const root = await pki.root("Mail Root");
  const upper = await pki.intermediate("Mail Upper CA", root);
  const issuing = await pki.intermediate("Mail Issuing CA", upper, { keyType: "rsa" });
  const leaf = await pki.leaf(NAME, issuing, { keyType: "rsa" });
  // Out of order, with the root: the servers must send the file as it is.
  served = [leaf, upper, issuing, root];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-probe-mail-"));
  fs.chmodSync(dir, 0o755);
  files = { fullchainPath: path.join(dir, "fullchain.pem"), keyPath: path.join(dir, "privkey.pem") };
  fs.writeFileSync(files.fullchainPath, pemOf(...served));
  fs.writeFileSync(files.keyPath, leaf.keyPem, { mode: 0o600 });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Each endpoint, each TLS version: the probe reads `expected` (default: the file as it is), equal to s_client's. */
async function expectServedAsFile(endpoints: Array<{ protocol: Protocol; port: number }>, expected = () => served): Promise<void> {
  for (const { protocol, port } of endpoints) {
    for (const version of ["1.2", "1.3"] as const) {
      const result = await probe({ host: "127.0.0.1", port, servername: NAME, protocol, tls: version });
      const probed = result.certificates.map((c) => c.sha256);
      expect(result.tlsVersion, `${protocol} on ${port}`).toBe(`TLSv${version}`);
      expect(result.protocol).toBe(protocol);
      expect(probed, `${protocol} on ${port}, TLS ${version}`).toEqual(expected().map((i) => i.cert.sha256));
      expect(probed, `s_client for ${protocol} on ${port}, TLS ${version}`).toEqual(await opensslShowcerts("127.0.0.1", port, { servername: NAME, tls: version, protocol }));
    }
  }
}

async function withServer<S extends WebServer>(start: Promise<S>, use: (server: S) => Promise<void>): Promise<void> {
  const server = await start;
  try {
    await use(server);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nserver log:\n${server.log()}`);
  } finally {
    await server.stop();
  }
}

describe("probe vs openssl s_client -starttls on real mail, database, FTP, XMPP and LDAP servers", () => {
  it("Postfix: SMTP STARTTLS, submission (TLS required, as on 587) and implicit TLS (as on 465)", async () => {
    assertInstalled("postfix");
    await withServer(startPostfix(files), async (postfix) => {
      await expectServedAsFile([
        { protocol: "smtp", port: postfix.ports.smtp },
        { protocol: "smtp", port: postfix.ports.submission },
        { protocol: "smtps", port: postfix.ports.smtps },
      ]);
      // A STARTTLS port probed as TLS at once: the error names the protocol to use.
      const asTls = await probe({ host: "127.0.0.1", port: postfix.ports.smtp }).catch((e: unknown) => e);
      expect(asTls).toMatchObject({ code: "not-tls", message: expect.stringContaining(`Name the protocol: smtp://127.0.0.1:${postfix.ports.smtp}.`) });
      // And an implicit-TLS port probed with STARTTLS: the error says the port speaks TLS at once.
      const asSmtp = await probe({ host: "127.0.0.1", port: postfix.ports.smtps, protocol: "smtp", timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(asSmtp).toMatchObject({ code: "timeout", message: expect.stringContaining("the SMTP dialogue). Check that the port serves SMTP in plain text; a port that starts with TLS (e.g. 465, 993, 995) waits silently: probe it as smtps://.") });
    });
  });

  it("Dovecot: IMAP and POP3 with STARTTLS, and their implicit-TLS ports (993, 995)", async () => {
    assertInstalled("dovecot");
    await withServer(startDovecot(files), async (dovecot) => {
      await expectServedAsFile([
        { protocol: "imap", port: dovecot.ports.imap },
        { protocol: "imaps", port: dovecot.ports.imaps },
        { protocol: "pop3", port: dovecot.ports.pop3 },
        { protocol: "pop3s", port: dovecot.ports.pop3s },
      ]);
      const crossed = await probe({ host: "127.0.0.1", port: dovecot.ports.imap, protocol: "pop3" }).catch((e: unknown) => e);
      expect(crossed).toMatchObject({ code: "out-of-protocol", message: expect.stringMatching(/the greeting is not "\+OK" \("\* OK .*this is not what a POP3 server answers/) });
    });
  });

  it("PostgreSQL: the SSLRequest upgrade", async () => {
    await withServer(startPostgres(files), (postgres) => expectServedAsFile([{ protocol: "postgres", port: postgres.port }]));
  });

  it("vsftpd: AUTH TLS", async () => {
    assertInstalled("vsftpd");
    await withServer(startVsftpd(files), (vsftpd) => expectServedAsFile([{ protocol: "ftp", port: vsftpd.port }]));
  });

  it("Prosody: XMPP STARTTLS on a stream opened to the SNI name", async () => {
    assertInstalled("prosody");
    await withServer(startProsody(files, NAME), (prosody) => expectServedAsFile([{ protocol: "xmpp", port: prosody.port }]));
  });

  it("slapd: the StartTLS extended operation, and ldaps://; GnuTLS sends the file's certificates in path order", async () => {
    assertInstalled("slapd");
    const [leaf, upper, issuing, root] = served;
    await withServer(startSlapd(files), (slapd) =>
      expectServedAsFile([{ protocol: "ldap", port: slapd.ports.ldap }, { protocol: "ldaps", port: slapd.ports.ldaps }], () => [leaf, issuing, upper, root]),
    );
  });

  it("chainsmith inspect smtp://127.0.0.1:<port> and imap://, pop3:// print the chain Postfix and Dovecot send", async () => {
    assertInstalled("postfix");
    assertInstalled("dovecot");
    const [postfix, dovecot] = await Promise.all([startPostfix(files), startDovecot(files)]);
    try {
      for (const endpoint of [`smtp://127.0.0.1:${postfix.ports.smtp}`, `smtp://127.0.0.1:${postfix.ports.submission}`, `imap://127.0.0.1:${dovecot.ports.imap}`, `pop3://127.0.0.1:${dovecot.ports.pop3}`]) {
        let out = "";
        const code = await main(["inspect", endpoint, "--servername", NAME, "--json", "--profile", `root=${writeRoot()}`], { out: (t) => void (out += t), err: () => undefined });
        const json = JSON.parse(out);
        expect(json.endpoint).toBe(`${endpoint} (SNI ${NAME})`);
        expect(json.served.map((c: { sha256: string }) => c.sha256)).toEqual(served.map((i) => i.cert.sha256));
        // Out of order and with the root: warnings, and the chain is trusted, so exit 0.
        expect(json.findings.map((f: { code: string }) => f.code)).toEqual(expect.arrayContaining(["wrong-order", "contains-anchor"]));
        expect([json.protocol, json.ok, code]).toEqual([endpoint.split(":")[0], true, 0]);
        let text = "";
        await main(["inspect", endpoint, "--servername", NAME, "--profile", `root=${writeRoot()}`], { out: (t) => void (text += t), err: () => undefined });
        expect(text.startsWith(`${endpoint} (SNI ${NAME}): TLSv1.3`)).toBe(true);
        for (const [i, issued] of served.entries()) expect(text).toMatch(new RegExp(`\\n  ${i}\\s+${issued.cert.subject}\\s+${issued.cert.issuer}\\s+${issued.cert.shortFingerprint}`));
      }
    } finally {
      await Promise.all([postfix.stop(), dovecot.stop()]);
    }
  });
});

describe("the served-chain check with mail endpoints", () => {
  it("verifies what Postfix sends after STARTTLS and on its implicit port, and refuses an unknown protocol before probing", async () => {
    assertInstalled("postfix");
    await withServer(startPostfix(files), async (postfix) => {
      const endpoints = [
        { host: "127.0.0.1", port: postfix.ports.submission, servername: NAME, protocol: "smtp" as const },
        { host: "127.0.0.1", port: postfix.ports.smtps, servername: NAME, protocol: "smtps" as const },
      ];
      const { outs } = await servedChainCheck.create({ endpoints, desiredChain: pemOf(...served), profiles: [{ name: "root", roots: pemOf(served[3]) }], verifyTimeoutMs: 10_000 });
      expect(outs.served.map((r) => [r.endpoint, r.matchesDesired, r.chain.map((c) => c.sha256)])).toEqual([
        [`smtp://127.0.0.1:${postfix.ports.submission} (SNI ${NAME})`, true, served.map((i) => i.cert.sha256)],
        [`smtps://127.0.0.1:${postfix.ports.smtps} (SNI ${NAME})`, true, served.map((i) => i.cert.sha256)],
      ]);
      const { failures } = await servedChainCheck.check({ endpoints: [{ host: "127.0.0.1", port: 25, protocol: "esmtp" as never }], desiredChain: pemOf(...served) });
      expect(failures).toEqual([{ property: "endpoints", reason: expect.stringMatching(/^endpoints\[0\]: protocol 'esmtp' is not one the probe speaks\. Use one of tls, smtp, /) }]);
    });
  });
});

function writeRoot(): string {
  const file = path.join(dir, "root.pem");
  fs.writeFileSync(file, pemOf(served[3]));
  return file;
}
