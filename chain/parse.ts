// Certificates from whatever a user has: PEM with any number of blocks and text around
// them, DER, PKCS#7 in PEM or DER. Anything else gets an error that says what it is
// (a key, a CSR, a PFX) and what to do with it.
import { Certificate } from "./certificate";
import { ChainsmithInputError } from "./errors";
import { kindOfDer, kindOfPemLabel, notACertificate, opensAsPkcs7 } from "./input-kind";
import { assertCompleteDer, declaredDerLength, decodePemBlocks, inputText, looksLikePem } from "./pem";
import { certificatesFromPkcs7 } from "./pkcs7";

export { kindOfDer, kindOfPemLabel, notACertificate, type InputKind } from "./input-kind";

/**
 * Every certificate in `input`, in input order (duplicates kept: a served chain may have
 * them). `source` names the input in errors, e.g. the file name.
 */
export function parseCertificates(input: Buffer | string, source: string): Certificate[] {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const text = inputText(bytes);
  if (text.trim().length === 0) {
    throw new ChainsmithInputError("empty-input", `${source}: the input is empty. Check the file name and that the file was written completely.`);
  }
  if (looksLikePem(text)) return certificatesFromPem(text, source);
  if (bytes[0] !== 0x30) {
    throw new ChainsmithInputError(
      "not-a-certificate",
      `${source}: found no PEM block ("-----BEGIN CERTIFICATE-----") and the data is not DER. Give PEM, DER, PKCS#7 (.p7b) or PKCS#12 (.pfx).`,
    );
  }
  assertCompleteDer(bytes, source);
  assertNothingAfter(bytes, source);
  return certificatesFromDer(bytes, source);
}

function certificatesFromPem(text: string, source: string): Certificate[] {
  const certificates: Certificate[] = [];
  for (const block of decodePemBlocks(text, source)) {
    const where = `${source}, block ${block.index} (${block.label})`;
    const kind = kindOfPemLabel(block.label);
    if (kind === "certificate") certificates.push(Certificate.fromDer(certificateOfBlock(block.label, block.der, where), where));
    else if (kind === "pkcs7") certificates.push(...certificatesFromPkcs7(block.der, where));
    else throw notACertificate(kind, where);
  }
  return certificates;
}

function certificatesFromDer(der: Buffer, source: string): Certificate[] {
  const kind = kindOfDer(der);
  if (kind === "certificate") return [Certificate.fromDer(der, source)];
  if (kind === "pkcs7") return certificatesFromPkcs7(der, source);
  if (kind === "unknown") {
    // A .p7b damaged inside: say it is a broken PKCS#7, not what the certificate parser thinks.
    if (opensAsPkcs7(der)) return certificatesFromPkcs7(der, source);
    // Not recognisable as anything: report the certificate parser's own complaint.
    Certificate.fromDer(der, source);
  }
  throw notACertificate(kind, source);
}

/** openssl's TRUSTED CERTIFICATE appends trust settings after the certificate; any other block must hold the certificate alone. */
function certificateOfBlock(label: string, der: Buffer, where: string): Buffer {
  const length = declaredDerLength(der);
  if (label === "TRUSTED CERTIFICATE" && length !== undefined && length < der.length) return der.subarray(0, length);
  assertNothingAfter(der, where);
  return der;
}

/**
 * Refuses bytes after the DER element: read as part of the certificate, they would change its
 * fingerprint and end up in every file written from it.
 */
function assertNothingAfter(der: Buffer, where: string): void {
  const length = declaredDerLength(der);
  if (length === undefined || length >= der.length) return;
  const extra = der.length - length;
  throw new ChainsmithInputError(
    "trailing-data",
    `${where}: ${extra} byte${extra === 1 ? "" : "s"} follow the DER structure, which ends at byte ${length} of ${der.length} (a trailing newline, or two files joined?). ` +
      `Remove them (e.g. head -c ${length} FILE > FILE.der), or give the certificates as PEM.`,
  );
}


