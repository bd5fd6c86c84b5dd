// IMAP STARTTLS (RFC 3501 6.2.1, RFC 2595): greeting "* OK", CAPABILITY listing STARTTLS,
// STARTTLS, tagged OK.
import { Conversation, UpgradeError, printable } from "./conversation";

/** Reads to the tagged answer of `tag`; returns it and the untagged lines before it. */
async function tagged(conversation: Conversation, tag: string, command: string): Promise<{ status: string; text: string; untagged: string[] }> {
  const untagged: string[] = [];
  for (;;) {
    const line = await conversation.readLine();
    if (line.startsWith(`${tag} `)) {
      const [, status = "", text = ""] = /^\S+ (\S+) ?(.*)$/.exec(line) ?? [];
      return { status: status.toUpperCase(), text, untagged };
    }
    if (!line.startsWith("* ")) throw conversation.outOfProtocol(`the answer to ${command} is neither untagged nor tagged ${tag}`, line);
    untagged.push(line);
  }
}

export async function imapStartTls(conversation: Conversation): Promise<void> {
  const greeting = await conversation.readLine();
  if (/^\* BYE\b/i.test(greeting)) throw new UpgradeError("starttls-refused", `the server refused the session: "${printable(greeting)}".`);
  if (/^\* PREAUTH\b/i.test(greeting)) throw new UpgradeError("starttls-not-offered", "the server greets with PREAUTH: the session is already authenticated, and STARTTLS is then not allowed (RFC 3501).");
  if (!/^\* OK\b/i.test(greeting)) throw conversation.outOfProtocol("the greeting is not \"* OK\"", greeting);
  conversation.send("A1 CAPABILITY\r\n");
  const capability = await tagged(conversation, "A1", "CAPABILITY");
  if (capability.status !== "OK") throw conversation.outOfProtocol("CAPABILITY failed", `A1 ${capability.status} ${capability.text}`);
  const capabilities = capability.untagged.filter((line) => /^\* CAPABILITY /i.test(line)).flatMap((line) => line.split(" ").slice(2).map((c) => c.toUpperCase()));
  if (!capabilities.includes("STARTTLS")) {
    throw new UpgradeError("starttls-not-offered", "the server does not offer STARTTLS (its CAPABILITY lists no STARTTLS). Turn TLS on in the server (Dovecot: ssl = yes), or probe its implicit-TLS port (imaps://HOST:993).");
  }
  conversation.send("A2 STARTTLS\r\n");
  const answer = await tagged(conversation, "A2", "STARTTLS");
  if (answer.status !== "OK") throw new UpgradeError("starttls-refused", `the server offers STARTTLS but refused it: "A2 ${answer.status} ${printable(answer.text)}".`);
}
