/**
 * An agent inventory, read: where each certificate is (by thumbprint, as Windows keys its
 * stores), with the facts the planner reasons about. Certificates the program already holds
 * come back by placement only; their facts are computed here from the program's copy.
 */
import { Certificate } from "../../chain/certificate";
import { HostCertificate, factsOf, fromAgent } from "./certificate-facts";
import { Inventory, InventoryBinding, StoreName } from "./contract";
import { WindowsTargetError } from "./errors";

export class HostInventory {
  private readonly byThumb = new Map<string, HostCertificate>();
  private readonly placement = new Map<string, Map<StoreName, boolean>>();

  /** `known`: the certificates the focus listed as known (their DER is here, not in the answer). */
  constructor(
    readonly raw: Inventory,
    readonly known: readonly Certificate[] = [],
  ) {
    const knownByThumb = new Map(known.map((c) => [c.sha1, c]));
    for (const facts of raw.certificates) this.byThumb.set(facts.thumbprint, fromAgent(facts));
    for (const p of raw.placements) {
      if (!this.byThumb.has(p.thumbprint)) {
        const cert = knownByThumb.get(p.thumbprint);
        if (!cert) throw new WindowsTargetError("inventory-inconsistent", `The agent on ${raw.computerName} placed ${p.thumbprint} in ${p.store} without reporting it, and it was not asked as known.`);
        this.byThumb.set(p.thumbprint, factsOf(cert));
      }
      const stores = this.placement.get(p.thumbprint) ?? new Map<StoreName, boolean>();
      stores.set(p.store, p.hasPrivateKey);
      this.placement.set(p.thumbprint, stores);
    }
  }

  get computerName(): string {
    return this.raw.computerName;
  }

  get bindings(): InventoryBinding[] {
    return this.raw.bindings;
  }

  /** Every certificate placed somewhere on the host. */
  get certificates(): HostCertificate[] {
    return [...this.placement.keys()].map((t) => this.byThumb.get(t)!);
  }

  /** Stores holding this certificate (empty when the host does not have it). */
  storesOf(cert: { thumbprint: string } | Certificate): StoreName[] {
    return [...(this.placement.get(thumbprintOf(cert))?.keys() ?? [])];
  }

  isIn(cert: { thumbprint: string } | Certificate, ...stores: StoreName[]): boolean {
    const placed = this.placement.get(thumbprintOf(cert));
    return stores.some((s) => placed?.has(s) ?? false);
  }

  in(...stores: StoreName[]): HostCertificate[] {
    return this.certificates.filter((c) => this.isIn(c, ...stores));
  }

  /** A private key that opens is linked to this certificate in `store`. */
  hasPrivateKey(cert: Certificate, store: StoreName): boolean {
    return this.placement.get(cert.sha1)?.get(store) === true;
  }

  byThumbprint(thumbprint: string): HostCertificate | undefined {
    return this.placement.has(thumbprint.toUpperCase()) ? this.byThumb.get(thumbprint.toUpperCase()) : undefined;
  }

  /** Who else uses a certificate (other http.sys entries, RDP), in words. */
  usersOf(thumbprint: string): string[] {
    return this.raw.certificateUsers.filter((u) => u.thumbprint === thumbprint).map((u) => u.user);
  }
}

function thumbprintOf(cert: { thumbprint: string } | Certificate): string {
  return cert instanceof Certificate ? cert.sha1 : cert.thumbprint;
}
