/**
 * An agent inventory with its certificates parsed: where each certificate is, by SHA-256
 * fingerprint (never by subject: the cross-signed and self-signed R46 share one).
 */
import { Certificate } from "../../chain/certificate";
import { Inventory, InventoryBinding, InventoryCertificate, StoreName } from "./contract";
import { WindowsTargetError } from "./errors";

export class HostInventory {
  /** Every distinct certificate on the host, by SHA-256. */
  readonly certificates = new Map<string, Certificate>();
  private readonly placement = new Map<string, Set<StoreName>>();

  constructor(readonly raw: Inventory) {
    for (const entry of raw.certificates) {
      let cert = this.certificates.get(entry.sha256);
      if (!cert) {
        cert = Certificate.fromDer(Buffer.from(entry.derBase64, "base64"), `${raw.computerName} ${entry.store}\\${entry.thumbprint}`);
        if (cert.sha256 !== entry.sha256.toLowerCase()) {
          throw new WindowsTargetError("inventory-inconsistent", `The agent on ${raw.computerName} reported ${entry.thumbprint} in ${entry.store} with a SHA-256 that does not match its DER.`);
        }
        this.certificates.set(cert.sha256, cert);
      }
      const stores = this.placement.get(cert.sha256) ?? new Set<StoreName>();
      stores.add(entry.store);
      this.placement.set(cert.sha256, stores);
    }
  }

  get computerName(): string {
    return this.raw.computerName;
  }

  get bindings(): InventoryBinding[] {
    return this.raw.bindings;
  }

  /** Stores holding this certificate (empty when the host does not have it). */
  storesOf(cert: Certificate): StoreName[] {
    return [...(this.placement.get(cert.sha256) ?? [])];
  }

  isIn(cert: Certificate, store: StoreName): boolean {
    return this.placement.get(cert.sha256)?.has(store) ?? false;
  }

  in(...stores: StoreName[]): Certificate[] {
    return [...this.certificates.values()].filter((c) => stores.some((s) => this.isIn(c, s)));
  }

  /** The agent's private-key flag for a leaf in My or WebHosting. */
  hasPrivateKey(cert: Certificate, store: StoreName): boolean {
    return this.raw.certificates.some((e) => e.sha256 === cert.sha256 && e.store === store && e.hasPrivateKey);
  }

  byThumbprint(thumbprint: string): Certificate | undefined {
    const upper = thumbprint.toUpperCase();
    return [...this.certificates.values()].find((c) => c.sha1 === upper);
  }
}

/** The agent's facts for one certificate, as agent.ps1's New-CertificateFacts reports them. */
export function certificateFacts(cert: Certificate, store: StoreName, hasPrivateKey: boolean): InventoryCertificate {
  return {
    store,
    thumbprint: cert.sha1,
    sha256: cert.sha256,
    subject: cert.subject,
    issuer: cert.issuer,
    subjectKeyId: cert.subjectKeyId ?? "",
    authorityKeyId: cert.authorityKeyId ?? "",
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    hasPrivateKey,
    derBase64: cert.der.toString("base64"),
  };
}
