// XMPP client-to-server STARTTLS (RFC 6120 5): open a stream to the domain, read its
// features, <starttls/>, <proceed/>. The XML is matched, not parsed: only these elements count.
import { Conversation, UpgradeError, printable } from "./conversation";

const FEATURES_END = /<\/(?:[\w-]+:)?features\s*>|<(?:[\w-]+:)?features\b[^>]*\/>/;
const STREAM_ERROR = /<(?:[\w-]+:)?error\b[\s\S]*?<\/(?:[\w-]+:)?error\s*>/;
const STARTTLS_FEATURE = /<starttls\b[^>]*urn:ietf:params:xml:ns:xmpp-tls/;
const ANSWER = /<(proceed|failure)\b[^>]*?(?:\/>|>[\s\S]*?<\/\1\s*>)/;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/'/g, "&apos;").replace(/</g, "&lt;");
}

/** `domain`: the XMPP domain the stream is opened to (the SNI name, or the host). */
export async function xmppStartTls(conversation: Conversation, domain: string): Promise<void> {
  conversation.send(
    `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${escapeXml(domain)}' version='1.0'>`,
  );
  const opening = await conversation.readUntil(/[^\s]/);
  if (!opening.trimStart().startsWith("<")) throw conversation.outOfProtocol("the answer to the stream header is not XML", opening);
  const features = await conversation.readUntil(new RegExp(`${FEATURES_END.source}|${STREAM_ERROR.source}`));
  const error = STREAM_ERROR.exec(features);
  if (error && !FEATURES_END.test(features)) throw new UpgradeError("starttls-refused", `the server ended the stream with an error: "${printable(error[0])}". Check the domain (--servername) the stream is opened to.`);
  if (!/<(?:[\w-]+:)?stream\b/.test(features)) throw conversation.outOfProtocol("the server did not open an XMPP stream", features);
  if (!STARTTLS_FEATURE.test(features)) {
    throw new UpgradeError("starttls-not-offered", "the server does not offer STARTTLS (no <starttls/> among its stream features). Give the server a certificate for this domain.");
  }
  conversation.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  const reply = await conversation.readUntil(new RegExp(`${ANSWER.source}|${STREAM_ERROR.source}`));
  if (ANSWER.exec(reply)?.[1] !== "proceed") throw new UpgradeError("starttls-refused", `the server offers STARTTLS but refused it: "${printable(reply.trim())}".`);
}
