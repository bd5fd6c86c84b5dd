// LDAP StartTLS (RFC 4511 4.14): an ExtendedRequest with the StartTLS OID, an
// ExtendedResponse with resultCode success (0). The messages are BER with definite lengths.
import { derElementWithin } from "../../chain/der";
import { Conversation, UpgradeError } from "./conversation";

const START_TLS_OID = "1.3.6.1.4.1.1466.20037";

/** LDAPMessage { messageID 1, [APPLICATION 23] ExtendedRequest { [0] requestName } }. */
export function startTlsRequest(): Buffer {
  const oid = Buffer.from(START_TLS_OID, "latin1");
  const request = Buffer.concat([Buffer.from([0x80, oid.length]), oid]);
  const operation = Buffer.concat([Buffer.from([0x77, request.length]), request]);
  const body = Buffer.concat([Buffer.from([0x02, 0x01, 0x01]), operation]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

const TAG_SEQUENCE = 0x30;
const TAG_INTEGER = 0x02;
const TAG_EXTENDED_RESPONSE = 0x78; // [APPLICATION 24], constructed
const TAG_ENUMERATED = 0x0a;
const TAG_OCTET_STRING = 0x04;
const PROTOCOL_ERROR = 2; // what OpenLDAP and others answer to an extended operation they do not know
const UNAVAILABLE = 52;

/** One whole LDAPMessage from the server: the header, then as many bytes as it declares. */
async function readMessage(conversation: Conversation): Promise<Buffer> {
  const header = await conversation.readBytes(2);
  if (header[0] !== TAG_SEQUENCE) throw conversation.outOfProtocol("the answer to StartTLS is not an LDAP message", header.toString("latin1"));
  const lengthOctets = header[1] & 0x80 ? header[1] & 0x7f : 0;
  if (lengthOctets > 3) throw conversation.outOfProtocol(`the answer to StartTLS declares a length of ${lengthOctets} octets`);
  const lengthBytes = await conversation.readBytes(lengthOctets);
  const length = lengthOctets === 0 ? header[1] : lengthBytes.readUIntBE(0, lengthOctets);
  return Buffer.concat([header, lengthBytes, await conversation.readBytes(length)]);
}

export async function ldapStartTls(conversation: Conversation): Promise<void> {
  conversation.send(startTlsRequest());
  const message = await readMessage(conversation);
  const result = extendedResult(message);
  if (!result) throw conversation.outOfProtocol("the answer to StartTLS is not an LDAP ExtendedResponse");
  if (result.code === 0) return;
  const said = result.diagnostic ? ` (${result.diagnostic})` : "";
  if (result.code === PROTOCOL_ERROR || result.code === UNAVAILABLE) {
    throw new UpgradeError("starttls-not-offered", `the server does not offer StartTLS: result code ${result.code}${said}. Give the server a certificate (OpenLDAP: olcTLSCertificateFile), or probe its implicit-TLS port (ldaps://HOST:636).`);
  }
  throw new UpgradeError("starttls-refused", `the server refused StartTLS: result code ${result.code}${said}.`);
}

/** The resultCode and diagnosticMessage of an ExtendedResponse, or undefined when the message is not one. */
export function extendedResult(message: Buffer): { code: number; diagnostic: string } | undefined {
  const outer = derElementWithin(message, 0, TAG_SEQUENCE);
  const id = outer && derElementWithin(message, outer.contentStart, TAG_INTEGER);
  // A Notice of Disconnection (RFC 4511 4.4.1) comes with message ID 0, and is an ExtendedResponse too.
  const response = id && id.end <= outer.end ? derElementWithin(message, id.end, TAG_EXTENDED_RESPONSE) : undefined;
  const code = response && derElementWithin(message, response.contentStart, TAG_ENUMERATED);
  if (!code || code.end > response.end || code.end - code.contentStart !== 1) return undefined;
  const matchedDn = derElementWithin(message, code.end, TAG_OCTET_STRING);
  const diagnostic = matchedDn && derElementWithin(message, matchedDn.end, TAG_OCTET_STRING);
  const text = diagnostic && diagnostic.end <= response.end ? message.subarray(diagnostic.contentStart, diagnostic.end).toString("utf8") : "";
  return { code: message[code.contentStart], diagnostic: text.replace(/[^\x20-\x7e]/g, ".").slice(0, 200) };
}
