// PostgreSQL (protocol 3, "SSL Session Encryption"): an SSLRequest; the server answers one
// byte, 'S' (TLS follows) or 'N' (no TLS).
import { Conversation, UpgradeError } from "./conversation";

// Length 8, then the request code 80877103 (1234 << 16 | 5679).
export const SSL_REQUEST = Buffer.from([0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f]);

export async function postgresStartTls(conversation: Conversation): Promise<void> {
  conversation.send(SSL_REQUEST);
  const [answer] = await conversation.readBytes(1);
  if (answer === 0x53 /* S */) return;
  if (answer === 0x4e /* N */) {
    throw new UpgradeError("starttls-not-offered", "the server does not offer TLS (it answered N to the SSLRequest). Turn it on in postgresql.conf: ssl = on, with ssl_cert_file and ssl_key_file.");
  }
  // 'E': an ErrorResponse, from servers that do not know the request at all.
  if (answer === 0x45 /* E */) throw new UpgradeError("starttls-not-offered", "the server answered the SSLRequest with an error: it does not know TLS.");
  throw conversation.outOfProtocol("the answer to the SSLRequest is not S or N", String.fromCharCode(answer));
}
