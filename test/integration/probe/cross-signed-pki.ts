/**
 * Sectigo's shape, valid now (real clients check dates against the clock): the old RSA root
 * AAA, the new root R46, R46 cross-signed by AAA (same subject and key), a CA under R46 and
 * a leaf for `name`.
 */
import { Pki, type Issued } from "../../fixtures/pki";

export interface CrossSignedPki {
  pki: Pki;
  aaa: Issued;
  r46: Issued;
  r46ByAaa: Issued;
  ca: Issued;
  leaf: Issued;
}

export async function crossSignedPki(name: string): Promise<CrossSignedPki> {
  const pki = new Pki();
  const aaa = await pki.root("AAA Certificate Services", { keyType: "rsa" });
  const r46 = await pki.root("Sectigo Public Server Authentication Root R46");
  const r46ByAaa = await pki.crossSign(r46, aaa);
  const ca = await pki.intermediate("Sectigo Public Server Authentication CA DV R36", r46);
  const leaf = await pki.leaf(name, ca);
  return { pki, aaa, r46, r46ByAaa, ca, leaf };
}
