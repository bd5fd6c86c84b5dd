// The certificate inputs of a deployment, as values: the leaf and its key from PEM or from a
// PFX, and the pool of candidate intermediates and cross-signs.
import * as crypto from "node:crypto";
import { Certificate, uniqueCertificates } from "../chain/certificate";
import { ChainsmithInputError } from "../chain/errors";
import { parseCertificates } from "../chain/parse";
import { readPfx } from "../chain/pfx-read";

export interface MaterialValues {
  certificate?: string;
  pfx?: string;
  pfxPassword?: string;
  pool?: string;
}

export interface Material {
  leaf: Certificate;
  pool: Certificate[];
  /** Only from a PFX; a PEM key stays the caller's secret input. */
  key?: crypto.KeyObject;
}

/** Exactly one source of the leaf: checked when the program runs, before any value is known. */
export function assertOneSource(inputs: { certificate?: unknown; pfx?: unknown }): void {
  if ((inputs.certificate === undefined) === (inputs.pfx === undefined)) {
    throw new ChainsmithInputError("certificate-or-pfx", "Give either certificate (PEM, with privateKey) or pfx (base64, with pfxPassword), not both and not neither.");
  }
}

/** Reads the leaf (certificates after it join the pool), or opens the PFX; every problem says what to give instead. */
export function readMaterial(values: MaterialValues): Material {
  const pool = values.pool ? parseCertificates(values.pool, "the pool") : [];
  if (values.certificate !== undefined) {
    const [leaf, ...rest] = parseCertificates(values.certificate, "the certificate");
    return { leaf, pool: uniqueCertificates([...rest, ...pool]) };
  }
  if (values.pfxPassword === undefined) throw new ChainsmithInputError("pfx-needs-password", "A pfx was given without pfxPassword. Give its password as a secret.");
  const contents = readPfx(Buffer.from(values.pfx!, "base64"), values.pfxPassword, "the pfx");
  const leaf = contents.leaf ?? contents.certificates[0];
  if (!leaf || !contents.key) throw new ChainsmithInputError("pfx-incomplete", "The pfx holds no certificate with its private key. Export it again with the private key.");
  return { leaf, pool: uniqueCertificates([...contents.certificates.filter((c) => c !== leaf), ...pool]), key: contents.key };
}

/**
 * When to check validity: the start of the current UTC day, or the newest notBefore (up to
 * now) among the certificates if later, so that a certificate issued minutes ago counts as
 * valid. Not "now": the explanation and report name the time, and they must not change
 * from one preview to the next. The verification judges what is served at the real time.
 */
export function validityTime(material: Material, now: Date = new Date()): Date {
  const startOfDay = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const issued = [material.leaf, ...material.pool].map((c) => c.notBefore.getTime()).filter((t) => t <= now.getTime());
  return new Date(Math.max(startOfDay, ...issued));
}
