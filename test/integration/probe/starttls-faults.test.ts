/**
 * The STARTTLS dialogues against scripted servers on loopback (test/support/starttls-fakes.ts):
 * replies split at every byte, servers that do not offer or refuse the upgrade, answer out of
 * protocol, flood, fall silent or inject bytes; where the dialogue succeeds, the probe's
 * reading is compared with `openssl s_client -starttls` against the same server.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Protocol } from "../../../probe/endpoint";
import { ProbeError } from "../../../probe/errors";
import { probe } from "../../../probe/probe";
import { SSL_REQUEST } from "../../../probe/starttls/postgres";
import { startTlsRequest } from "../../../probe/starttls/ldap";
import { Pki, type Issued } from "../../../harness/pki";
import { flood, startFakeStartTlsServer, trickle, type FakeDialogue } from "../../support/starttls-fakes";
import type { RunningServer } from "../../../harness/tls-servers";
import { opensslShowcerts } from "./openssl-showcerts";

const NAME = "fake.starttls.test";
let chain: Issued[];
let servers: RunningServer[] = [];

beforeAll(async () => {
  const pki = new Pki();
  const root = await pki.root("Fake Root");
  const ca = await pki.intermediate("Fake Issuing CA", root);
  chain = [await pki.leaf(NAME, ca), ca];
});

afterEach(async () => {
  // Every probe must have closed its connection, whatever the server did.
  await Promise.all(servers.map((s) => s.drained(10_000)));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(dialogue: FakeDialogue): Promise<RunningServer> {
  const server = await startFakeStartTlsServer(dialogue, chain);
  servers.push(server);
  return server;
}

async function failure(server: RunningServer, protocol: Protocol, timeoutMs = 10_000): Promise<ProbeError> {
  const error = await probe({ host: "127.0.0.1", port: server.port, servername: NAME, protocol, timeoutMs }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProbeError);
  return error as ProbeError;
}

async function expectChainRead(server: RunningServer, protocol: Protocol): Promise<void> {
  for (const version of ["1.2", "1.3"] as const) {
    const result = await probe({ host: "127.0.0.1", port: server.port, servername: NAME, protocol, tls: version });
    expect(result.certificates.map((c) => c.sha256)).toEqual(chain.map((i) => i.cert.sha256));
    expect(result.certificates.map((c) => c.sha256)).toEqual(await opensslShowcerts("127.0.0.1", server.port, { servername: NAME, protocol, tls: version }));
  }
}

/** An SMTP server that greets, answers EHLO with `extensions` and STARTTLS with `answer`. */
const smtp = (extensions: string[], answer = "220 2.0.0 Ready to start TLS\r\n"): FakeDialogue => async ({ client, send }) => {
  send("220 fake.test ESMTP\r\n");
  if (!/^EHLO \S+$/.test(await client.readLine())) return false;
  send(["fake.test", ...extensions].map((line, i, all) => `250${i === all.length - 1 ? " " : "-"}${line}\r\n`).join(""));
  if ((await client.readLine()) !== "STARTTLS") return false;
  send(answer);
  return answer.startsWith("220");
};

describe("SMTP", () => {
  it("reads multi-line replies split at every byte, STARTTLS in any case among the extensions, as openssl does", async () => {
    const server = await serve(async ({ client, send, socket }) => {
      await trickle(socket, "220-fake.test ESMTP\r\n220-second greeting line\r\n220 ready\r\n");
      await client.readLine();
      await trickle(socket, "250-fake.test\r\n250-PIPELINING\r\n250-starttls\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n");
      if ((await client.readLine()) !== "STARTTLS") return false;
      // Whole: s_client takes one read for this last reply, then starts TLS.
      send("220 go ahead\r\n");
      return true;
    });
    await expectChainRead(server, "smtp");
  });

  it("says the server does not offer STARTTLS, refuses it, or refuses the session", async () => {
    const notOffered = await failure(await serve(smtp(["PIPELINING", "SIZE 1000"])), "smtp");
    expect(notOffered.code).toBe("starttls-not-offered");
    expect(notOffered.message).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+ \(SNI fake.starttls.test\): the server does not offer STARTTLS \(its EHLO answer lists no STARTTLS\)\. .*smtps:\/\/HOST:465/);
    const refused = await failure(await serve(smtp(["STARTTLS"], "454 4.7.0 TLS not available due to local problem\r\n")), "smtp");
    expect(refused).toMatchObject({ code: "starttls-refused", message: expect.stringContaining('refused it: "454 4.7.0 TLS not available due to local problem"') });
    const session = await failure(await serve(async ({ send }) => (send("554 5.3.2 No SMTP service here\r\n"), false)), "smtp");
    expect(session).toMatchObject({ code: "starttls-refused", message: expect.stringContaining('the server refused the session: "554 5.3.2 No SMTP service here"') });
    const noEhlo = await failure(await serve(async ({ client, send }) => (send("220 old.test\r\n"), await client.readLine(), send("502 5.5.2 Error: command not recognized\r\n"), false)), "smtp");
    expect(noEhlo.code).toBe("starttls-not-offered");
  });

  it("refuses answers out of protocol: an HTTP server, a reply without a code", async () => {
    const http = await failure(await serve(async ({ send }) => (send("HTTP/1.1 400 Bad Request\r\n\r\n"), false)), "smtp");
    expect(http).toMatchObject({ code: "out-of-protocol", message: expect.stringContaining('the greeting is not a reply code ("HTTP/1.1 400 Bad Request"): this is not what a SMTP server answers') });
  });

  it("refuses bytes sent after the server agreed to start TLS (STARTTLS command injection)", async () => {
    const injected = await failure(await serve(smtp(["STARTTLS"], "220 go ahead\r\n250 injected before the handshake\r\n")), "smtp");
    expect(injected).toMatchObject({ code: "out-of-protocol", message: expect.stringMatching(/sent 35 more bytes after agreeing to start TLS/) });
  });

  it("stops a server that floods lines or sends an endless line, and one that falls silent", async () => {
    const lines = await failure(await serve(async ({ client, send, socket }) => (send("220 fake.test\r\n"), await client.readLine(), await flood(socket, "250-x\r\n"), false)), "smtp");
    expect(lines).toMatchObject({ code: "out-of-protocol", message: expect.stringContaining("the server sent more than 200 lines before TLS began") });
    const long = await failure(await serve(async ({ socket }) => (await flood(socket, "2"), false)), "smtp");
    expect(long).toMatchObject({ code: "out-of-protocol", message: expect.stringContaining("the server sent a line longer than 4096 bytes") });
    const bytes = await failure(await serve(async ({ socket }) => (await flood(socket, "220-" + "x".repeat(4000) + "\r\n"), false)), "smtp");
    expect(bytes).toMatchObject({ code: "out-of-protocol", message: expect.stringContaining("the server sent more than 64 KiB before TLS began") });
    const silent = await failure(await serve(() => new Promise<boolean>(() => undefined)), "smtp", 500);
    expect(silent).toMatchObject({ code: "timeout", message: expect.stringContaining("no answer within 500 ms while upgrading to TLS (the SMTP dialogue)") });
  });

  it("says when the server closes in the dialogue", async () => {
    const closed = await failure(await serve(async ({ client, send, socket }) => (send("220 fake.test\r\n"), await client.readLine(), socket.end(), false)), "smtp");
    expect(closed).toMatchObject({ code: "connection-closed", message: expect.stringContaining("the server closed the connection in the SMTP dialogue, before TLS began") });
  });
});

describe("IMAP and POP3", () => {
  it("IMAP: the greeting, untagged lines, STARTTLS missing from CAPABILITY, BYE", async () => {
    const imap = (capabilities: string): FakeDialogue => async ({ client, send }) => {
      send("* OK fake IMAP ready\r\n");
      const [tag] = (await client.readLine()).split(" ");
      send(`* CAPABILITY ${capabilities}\r\n* OK [ALERT] untagged noise\r\n${tag} OK done\r\n`);
      const [next, command] = (await client.readLine()).split(" ");
      if (command !== "STARTTLS") return false;
      send(`${next} OK Begin TLS negotiation now\r\n`);
      return true;
    };
    await expectChainRead(await serve(imap("IMAP4rev1 starttls LOGINDISABLED")), "imap");
    expect((await failure(await serve(imap("IMAP4rev1 AUTH=PLAIN")), "imap")).code).toBe("starttls-not-offered");
    const bye = await failure(await serve(async ({ send }) => (send("* BYE too many connections\r\n"), false)), "imap");
    expect(bye).toMatchObject({ code: "starttls-refused", message: expect.stringContaining('"* BYE too many connections"') });
  });

  it("POP3: STLS taken by a server without CAPA; refused when CAPA lists no STLS", async () => {
    const noCapa: FakeDialogue = async ({ client, send }) => {
      send("+OK fake POP3\r\n");
      let command = await client.readLine();
      // s_client sends STLS at once; the probe asks CAPA first.
      if (command === "CAPA") {
        send("-ERR unknown command\r\n");
        command = await client.readLine();
      }
      if (command !== "STLS") return false;
      send("+OK Begin TLS\r\n");
      return true;
    };
    await expectChainRead(await serve(noCapa), "pop3");
    const capaWithout: FakeDialogue = async ({ client, send }) => (send("+OK fake POP3\r\n"), await client.readLine(), send("+OK\r\nUSER\r\nTOP\r\n.\r\n"), false);
    expect((await failure(await serve(capaWithout), "pop3")).code).toBe("starttls-not-offered");
  });
});

describe("FTP, LDAP, XMPP and PostgreSQL", () => {
  it("FTP: a multi-line greeting whose inner lines carry no code, AUTH TLS, 234; 502 means not offered", async () => {
    const ftp = (answer: string): FakeDialogue => async ({ client, send }) => {
      send("220-Welcome to the fake FTP\r\n  inner line without a code\r\n220 ready\r\n");
      if ((await client.readLine()) !== "AUTH TLS") return false;
      send(answer);
      return answer.startsWith("234");
    };
    await expectChainRead(await serve(ftp("234 Proceed with negotiation.\r\n")), "ftp");
    expect((await failure(await serve(ftp("502 Command not implemented.\r\n")), "ftp")).code).toBe("starttls-not-offered");
  });

  it("LDAP: the StartTLS extended operation; result code 2 means not offered", async () => {
    const ldap = (resultCode: number, diagnostic = ""): FakeDialogue => async ({ client, send }) => {
      const request = await client.readBytes(startTlsRequest().length);
      if (!request.equals(startTlsRequest())) return false;
      // ExtendedResponse { resultCode, matchedDN "", diagnosticMessage }, message ID 1.
      const text = Buffer.from(diagnostic);
      const result = Buffer.concat([Buffer.from([0x0a, 0x01, resultCode, 0x04, 0x00, 0x04, text.length]), text]);
      const response = Buffer.concat([Buffer.from([0x78, result.length]), result]);
      const body = Buffer.concat([Buffer.from([0x02, 0x01, 0x01]), response]);
      send(Buffer.concat([Buffer.from([0x30, body.length]), body]));
      return resultCode === 0;
    };
    await expectChainRead(await serve(ldap(0)), "ldap");
    const refused = await failure(await serve(ldap(2, "unsupported extended operation")), "ldap");
    expect(refused).toMatchObject({ code: "starttls-not-offered", message: expect.stringContaining("result code 2 (unsupported extended operation)") });
    const garbage = await failure(await serve(async ({ send }) => (send("* OK IMAP here\r\n"), false)), "ldap");
    expect(garbage.code).toBe("out-of-protocol");
  });

  it("XMPP: stream features with <starttls/>, <proceed/>; features without it, and <failure/>", async () => {
    const xmpp = (features: string, answer: string): FakeDialogue => async ({ client, send }) => {
      const header = await client.readUntil(/<stream:stream[^>]*>/);
      if (!header.includes(`to='${NAME}'`)) return false;
      send(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='1' from='${NAME}' version='1.0'>`);
      send(`<stream:features>${features}</stream:features>`);
      await client.readUntil(/<starttls[^>]*\/>/);
      send(answer);
      return answer.startsWith("<proceed");
    };
    const starttls = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>";
    await expectChainRead(await serve(xmpp(starttls, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")), "xmpp");
    expect((await failure(await serve(xmpp("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", "")), "xmpp")).code).toBe("starttls-not-offered");
    expect((await failure(await serve(xmpp(starttls, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")), "xmpp")).code).toBe("starttls-refused");
  });

  it("PostgreSQL: N means not offered; anything but S or N is out of protocol", async () => {
    const answer = (byte: string): FakeDialogue => async ({ client, send }) => ((await client.readBytes(SSL_REQUEST.length)).equals(SSL_REQUEST) && send(byte), false);
    expect((await failure(await serve(answer("N")), "postgres")).code).toBe("starttls-not-offered");
    expect((await failure(await serve(answer("X")), "postgres")).code).toBe("out-of-protocol");
    const extra = await failure(await serve(async ({ client, send }) => (await client.readBytes(SSL_REQUEST.length), send("Sextra"), false)), "postgres");
    expect(extra).toMatchObject({ code: "out-of-protocol", message: expect.stringContaining("sent 5 more bytes after agreeing to start TLS") });
  });
});
