// POP3 STLS (RFC 2595 4): greeting "+OK", CAPA (STLS listed, when the server has CAPA), STLS, "+OK".
import { Conversation, UpgradeError, printable } from "./conversation";

export async function pop3StartTls(conversation: Conversation): Promise<void> {
  const greeting = await conversation.readLine();
  if (greeting.startsWith("-ERR")) throw new UpgradeError("starttls-refused", `the server refused the session: "${printable(greeting)}".`);
  if (!greeting.startsWith("+OK")) throw conversation.outOfProtocol('the greeting is not "+OK"', greeting);
  conversation.send("CAPA\r\n");
  const capa = await conversation.readLine();
  // A server without CAPA (RFC 2449) answers -ERR and may still take STLS.
  let listed: boolean | undefined;
  if (capa.startsWith("+OK")) {
    listed = false;
    for (let line = await conversation.readLine(); line !== "."; line = await conversation.readLine()) {
      if (/^STLS\b/i.test(line)) listed = true;
    }
  } else if (!capa.startsWith("-ERR")) {
    throw conversation.outOfProtocol("the answer to CAPA is neither +OK nor -ERR", capa);
  }
  if (listed === false) {
    throw new UpgradeError("starttls-not-offered", "the server does not offer STLS (its CAPA lists no STLS). Turn TLS on in the server (Dovecot: ssl = yes), or probe its implicit-TLS port (pop3s://HOST:995).");
  }
  conversation.send("STLS\r\n");
  const answer = await conversation.readLine();
  if (answer.startsWith("+OK")) return;
  if (!answer.startsWith("-ERR")) throw conversation.outOfProtocol("the answer to STLS is neither +OK nor -ERR", answer);
  throw new UpgradeError(listed ? "starttls-refused" : "starttls-not-offered", `the server refused STLS: "${printable(answer)}".`);
}
