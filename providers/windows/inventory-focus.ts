/**
 * What an inventory asks the agent for (contract.ts InventoryFocus): the certificates that
 * can take part in the desired leaf's chain, found by following names and key identifiers,
 * and only those, so that the answer stays small (Azure Run Command keeps 4,096 bytes).
 * The same walk tells which of the program's own certificates the agent need not send.
 */
import { Certificate } from "../../chain/certificate";
import { HostCertificate, factsOf } from "./certificate-facts";
import { BindingKey, InventoryCertificate, InventoryFocus } from "./contract";

/** Seeds: the desired chain's subjects and issuers (twins share a subject) and key identifiers (same-key stale issuers). */
export function inventoryFocus(desired: readonly Certificate[], binding: BindingKey, known: readonly Certificate[]): InventoryFocus {
  const facts = desired.map(factsOf);
  const seeds = {
    binding,
    names: unique(facts.flatMap((f) => [f.subjectName, f.issuerName])),
    keyIds: unique(facts.flatMap((f) => [f.subjectKeyId, f.authorityKeyId]).filter(Boolean)),
    thumbprints: facts.map((f) => f.thumbprint),
    known: [] as string[],
  };
  const reachable = focusClosure([...desired, ...known].map(factsOf), seeds);
  return { ...seeds, known: unique(reachable.map((c) => c.thumbprint)) };
}

/**
 * The certificates among `candidates` that the focus reaches: asked by thumbprint, or whose
 * subject or key identifier matches a name or key id reached so far; each one found adds
 * its issuer name and authority key id. The agent walks its stores the same way.
 */
export function focusClosure<T extends InventoryCertificate | HostCertificate>(candidates: readonly T[], focus: Pick<InventoryFocus, "names" | "keyIds" | "thumbprints">): T[] {
  const names = new Set(focus.names);
  const keyIds = new Set(focus.keyIds);
  const thumbprints = new Set(focus.thumbprints);
  const found = new Map<string, T>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of candidates) {
      if (found.has(c.thumbprint)) continue;
      if (!thumbprints.has(c.thumbprint) && !names.has(c.subjectName) && !(c.subjectKeyId && keyIds.has(c.subjectKeyId))) continue;
      found.set(c.thumbprint, c);
      names.add(c.issuerName);
      if (c.authorityKeyId) keyIds.add(c.authorityKeyId);
      grew = true;
    }
  }
  return [...found.values()];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
