import { ChainsmithInputError } from "./errors";
import { derElementAt } from "./der";

/** One `-----BEGIN X-----` ... `-----END X-----` block of a PEM text. */
export interface PemBlock {
  /** The label between BEGIN and the dashes, e.g. "CERTIFICATE", "RSA PRIVATE KEY". */
  label: string;
  /** 1-based position among the blocks of the input, for error messages. */
  index: number;
  /** The decoded body (headers such as Proc-Type are not part of it). */
  der: Buffer;
  /** RFC 1421 headers ("Proc-Type: 4,ENCRYPTED" on legacy encrypted keys). */
  headers: Record<string, string>;
  /** The block as it appeared, normalised to LF: what node:crypto accepts for keys. */
  text: string;
}

/**
 * The text of an input that may be PEM: UTF-8 (with or without BOM) or, as Windows
 * editors save "Unicode" files, UTF-16 with a BOM. Binary stays binary (latin1).
 */
export function inputText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString("utf16le");
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString("utf16le");
  return bytes.toString("latin1");
}

/** The input looks like PEM (it has at least one BEGIN line). */
export function looksLikePem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

/**
 * Every PEM block of `text`, in order, ignoring the text around them (openssl's
 * "subject=" lines, comments, CRLF line ends). `source` names the input in errors.
 */
export function decodePemBlocks(text: string, source: string): PemBlock[] {
  const normalised = text.replace(/\r\n?/g, "\n");
  const blocks: PemBlock[] = [];
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----/g;
  for (let match = begin.exec(normalised); match; match = begin.exec(normalised)) {
    const label = match[1];
    const index = blocks.length + 1;
    const where = `${source}, block ${index} (${label})`;
    const endLine = `-----END ${label}-----`;
    const bodyStart = match.index + match[0].length;
    const end = normalised.indexOf(endLine, bodyStart);
    const nextBegin = normalised.slice(bodyStart).search(/-----BEGIN /);
    if (end < 0 || (nextBegin >= 0 && bodyStart + nextBegin < end)) {
      throw new ChainsmithInputError(
        "pem-truncated",
        `${where}: the block has no "${endLine}" line; the file was cut or two files were joined badly. Copy the whole block again.`,
      );
    }
    const { headers, body } = splitHeaders(normalised.slice(bodyStart, end));
    const der = decodeBase64(body, where);
    // EC PARAMETERS bodies are a bare OID; only SEQUENCE bodies can be checked for length.
    if (der[0] === 0x30) assertCompleteDer(der, where);
    blocks.push({ label, index, der, headers, text: normalised.slice(match.index, end + endLine.length) + "\n" });
    begin.lastIndex = end + endLine.length;
  }
  return blocks;
}

/**
 * Checks that the outer DER element is as long as its header says: a shorter body means
 * a cut file, which otherwise surfaces as an obscure parser error.
 */
export function assertCompleteDer(der: Buffer, where: string): void {
  const declared = declaredDerLength(der);
  if (declared === undefined) {
    throw new ChainsmithInputError("bad-der", `${where}: the data is not DER (it does not start with an ASN.1 SEQUENCE). Check the file's format.`);
  }
  if (declared > der.length) {
    throw new ChainsmithInputError(
      "truncated",
      `${where}: the data ends after ${der.length} of ${declared} bytes; the file was cut. Copy or download it again.`,
    );
  }
}

/** Total length (header + content) the first DER SEQUENCE declares, or undefined if not one. */
export function declaredDerLength(der: Buffer): number | undefined {
  const outer = der[0] === 0x30 ? derElementAt(der) : undefined;
  return outer?.end;
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  const lines = raw.split("\n");
  let i = 0;
  while (i < lines.length && lines[i].trim() === "") i++;
  if (i < lines.length && /^[A-Za-z-]+:/.test(lines[i])) {
    for (; i < lines.length && lines[i].trim() !== ""; i++) {
      const colon = lines[i].indexOf(":");
      headers[lines[i].slice(0, colon).trim()] = lines[i].slice(colon + 1).trim();
    }
  }
  return { headers, body: lines.slice(i).join("") };
}

function decodeBase64(body: string, where: string): Buffer {
  const compact = body.replace(/\s+/g, "");
  if (compact.length === 0) {
    throw new ChainsmithInputError("pem-empty-block", `${where}: the block is empty. Copy the whole block again.`);
  }
  const bad = compact.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) {
    throw new ChainsmithInputError(
      "pem-bad-base64",
      `${where}: the base64 body has an invalid character at position ${bad + 1}. The block was altered (a mail client or editor?); copy it again.`,
    );
  }
  if (compact.length % 4 !== 0 || /=[^=]/.test(compact)) {
    throw new ChainsmithInputError(
      "pem-bad-base64",
      `${where}: the base64 body is ${compact.length} characters long, not a multiple of 4, or has padding in the middle; the block is truncated or corrupt. Copy it again.`,
    );
  }
  return Buffer.from(compact, "base64");
}
