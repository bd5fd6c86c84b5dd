// FTP AUTH TLS (RFC 4217): greeting 220 (after any 1xx), AUTH TLS, 234.
import { Conversation, UpgradeError } from "./conversation";
import { quoted, readReply } from "./smtp";

export async function ftpStartTls(conversation: Conversation): Promise<void> {
  let greeting = await readReply(conversation, "the greeting");
  // 120: "service ready in n minutes", then the real greeting.
  while (greeting.code >= 100 && greeting.code < 200) greeting = await readReply(conversation, "the greeting");
  if (greeting.code !== 220) throw new UpgradeError("starttls-refused", `the server refused the session: "${quoted(greeting)}".`);
  conversation.send("AUTH TLS\r\n");
  const answer = await readReply(conversation, "the answer to AUTH TLS");
  if (answer.code === 234) return;
  // 500/502/504: the command or the mechanism is unknown; 4xx/5xx otherwise: known but refused.
  if ([500, 502, 504].includes(answer.code)) {
    throw new UpgradeError("starttls-not-offered", `the server does not offer TLS ("${quoted(answer)}" to AUTH TLS). Turn TLS on in the server (vsftpd: ssl_enable=YES).`);
  }
  throw new UpgradeError("starttls-refused", `the server refused AUTH TLS: "${quoted(answer)}".`);
}
