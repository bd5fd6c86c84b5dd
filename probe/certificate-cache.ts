import * as crypto from "node:crypto";
import { Certificate } from "../chain/certificate";

/**
 * Parsed certificates by SHA-256 of their DER, least recently used first out. Parsing one
 * costs about a millisecond, more than the handshake that carried it, and a fleet serves the
 * same intermediates (and, probe after probe, the same leaves). Certificate is immutable,
 * so results may share instances.
 */
export class CertificateCache {
  private readonly entries = new Map<string, Certificate>();

  constructor(private readonly limit: number) {}

  fromDer(der: Buffer, source: string): Certificate {
    const id = crypto.createHash("sha256").update(der).digest("hex");
    const cached = this.entries.get(id);
    if (cached) {
      this.entries.delete(id);
      this.entries.set(id, cached);
      return cached;
    }
    const parsed = Certificate.fromDer(der, source);
    this.entries.set(id, parsed);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
    return parsed;
  }

  get size(): number {
    return this.entries.size;
  }
}
