// SMTP STARTTLS (RFC 3207), also on the submission port 587: greeting 220, EHLO, STARTTLS
// listed among the extensions, STARTTLS, 220.
import { Conversation, UpgradeError } from "./conversation";

/** A reply of SMTP (RFC 5321 4.2) or FTP (RFC 959 4.2): a code, and the text of each line. */
export interface NumericReply {
  code: number;
  lines: string[];
}

/**
 * Reads one reply, multi-line ("250-...", ..., "250 ...") included. FTP lets the lines
 * between the first and the last be any text; SMTP prefixes each with the code.
 */
export async function readReply(conversation: Conversation, what: string): Promise<NumericReply> {
  const first = await conversation.readLine();
  const start = /^(\d{3})(?:([ -])(.*))?$/.exec(first);
  if (!start) throw conversation.outOfProtocol(`${what} is not a reply code`, first);
  const [, code, separator, text] = start;
  const lines = [text ?? ""];
  if (separator === "-") {
    for (;;) {
      const line = await conversation.readLine();
      const last = line === code || line.startsWith(`${code} `);
      lines.push(/^\d{3}[ -]/.test(line) ? line.slice(4) : line);
      if (last) break;
    }
  }
  return { code: Number(code), lines };
}

/** "554 No SMTP service here", as messages quote a reply. */
export function quoted(reply: NumericReply): string {
  return `${reply.code} ${reply.lines[reply.lines.length - 1]}`.trim();
}

// The name our EHLO gives: a reserved name (RFC 2606), valid where servers check the syntax.
const CLIENT_NAME = "chainsmith.invalid";

export async function smtpStartTls(conversation: Conversation): Promise<void> {
  const greeting = await readReply(conversation, "the greeting");
  if (greeting.code !== 220) throw new UpgradeError("starttls-refused", `the server refused the session: "${quoted(greeting)}".`);
  conversation.send(`EHLO ${CLIENT_NAME}\r\n`);
  const ehlo = await readReply(conversation, "the answer to EHLO");
  if (ehlo.code !== 250) throw new UpgradeError("starttls-not-offered", `the server does not take EHLO ("${quoted(ehlo)}"), so it offers no STARTTLS.`);
  if (!ehlo.lines.slice(1).some((line) => /^STARTTLS\b/i.test(line))) {
    throw new UpgradeError(
      "starttls-not-offered",
      "the server does not offer STARTTLS (its EHLO answer lists no STARTTLS). Turn TLS on in the server (Postfix: smtpd_tls_security_level = may), or probe its implicit-TLS port (smtps://HOST:465).",
    );
  }
  conversation.send("STARTTLS\r\n");
  const answer = await readReply(conversation, "the answer to STARTTLS");
  if (answer.code !== 220) throw new UpgradeError("starttls-refused", `the server offers STARTTLS but refused it: "${quoted(answer)}".`);
}
