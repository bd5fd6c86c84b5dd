// Which dialogue each protocol needs before its TLS handshake, and the one function the
// probe calls to run it on a connected socket.
import type * as net from "node:net";
import type { Protocol } from "../endpoint";
import { Conversation, UpgradeError } from "./conversation";
import { ftpStartTls } from "./ftp";
import { imapStartTls } from "./imap";
import { ldapStartTls } from "./ldap";
import { pop3StartTls } from "./pop3";
import { postgresStartTls } from "./postgres";
import { smtpStartTls } from "./smtp";
import { xmppStartTls } from "./xmpp";

interface Upgrade {
  /** For messages: "SMTP". */
  name: string;
  /** The same service with TLS at once, on its own port (smtps on 465). */
  implicit: Protocol;
  dialogue: (conversation: Conversation, domain: string) => Promise<void>;
}

/** The protocols whose TLS starts after a plain-text dialogue; the others start TLS at once. */
export const UPGRADES: Partial<Record<Protocol, Upgrade>> = {
  smtp: { name: "SMTP", implicit: "smtps", dialogue: smtpStartTls },
  imap: { name: "IMAP", implicit: "imaps", dialogue: imapStartTls },
  pop3: { name: "POP3", implicit: "pop3s", dialogue: pop3StartTls },
  ftp: { name: "FTP", implicit: "tls", dialogue: ftpStartTls },
  ldap: { name: "LDAP", implicit: "ldaps", dialogue: ldapStartTls },
  postgres: { name: "PostgreSQL", implicit: "tls", dialogue: postgresStartTls },
  xmpp: { name: "XMPP", implicit: "tls", dialogue: xmppStartTls },
};

/**
 * Runs the protocol's dialogue on `socket` until the server agrees to start TLS, then leaves
 * the socket paused with no listener of ours, for the TLS client to take over. Rejects with
 * an UpgradeError; the caller's timeout bounds the time.
 */
export async function upgradeToTls(socket: net.Socket, upgrade: Upgrade, domain: string): Promise<void> {
  const conversation = new Conversation((bytes) => socket.write(bytes), upgrade.name);
  const onData = (chunk: Buffer) => conversation.push(chunk);
  const onEnd = () => conversation.end();
  socket.on("data", onData);
  socket.on("end", onEnd);
  socket.on("close", onEnd);
  try {
    await upgrade.dialogue(conversation, domain);
    // Bytes sent before our ClientHello would be read as TLS: an injection (CVE-2011-0411) or a broken server.
    if (conversation.unread > 0) {
      throw new UpgradeError("out-of-protocol", `the server sent ${conversation.unread} more bytes after agreeing to start TLS, before the TLS handshake. A correct ${upgrade.name} server waits for the client's hello.`);
    }
  } finally {
    socket.pause();
    socket.off("data", onData);
    socket.off("end", onEnd);
    socket.off("close", onEnd);
  }
}

/** A guess at the protocol from the first line a plain-text server sent, for the hint of a "not TLS" error. */
export function protocolOfGreeting(line: string): Protocol | undefined {
  if (/^\* (OK|PREAUTH)\b/i.test(line)) return "imap";
  if (line.startsWith("+OK")) return "pop3";
  if (/^220[ -].*\b(E?SMTP|Postfix|Exim|Sendmail|mail)\b/i.test(line)) return "smtp";
  if (/^220[ -]/.test(line)) return "ftp";
  return undefined;
}
