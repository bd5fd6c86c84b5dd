/**
 * Windows hosts as found in the field, built on the scenario PKIs (harness/scenarios.ts):
 * a 2026 host whose Root holds the self-signed Sectigo R46/E46 beside USERTrust and AAA,
 * with an old leaf bound on 443.
 */
import * as fs from "node:fs";
import { Certificate } from "../../../chain/certificate";
import { parseCertificates } from "../../../chain/parse";
import { bundledStoreFile, findBundledStore } from "../../../chain/bundled-stores";
import { Issued, Pki } from "../../../harness/pki";
import { letsEncrypt, sectigo } from "../../../harness/scenarios";
import type { BindingSpec } from "../../../providers/windows/binding-spec";
import { HostInventory } from "../../../providers/windows/inventory";
import { focusOf, knownCertificates } from "../../../providers/windows/windows-target";
import { SimulatedHostOptions, SimulatedWindowsHost } from "./host-model";

export type Sectigo = Awaited<ReturnType<typeof sectigo>>;
export type LetsEncrypt = Awaited<ReturnType<typeof letsEncrypt>>;

/** Root: AAA, USERTrust RSA/ECC, self-signed R46 and E46. CA: R36 and E36. */
export function sectigoHost(s: Sectigo, options: Partial<SimulatedHostOptions> = {}): SimulatedWindowsHost {
  const host = new SimulatedWindowsHost({ at: s.at, ...options });
  for (const root of [s.aaa, s.usertrustRsa, s.usertrustEcc, s.r46, s.e46]) host.addCertificate("Root", root.cert);
  for (const ca of [s.r36, s.e36]) host.addCertificate("CA", ca.cert);
  return host;
}

/** Puts `leaf` with its key in My and binds it (as an earlier deployment left it). */
export function bindLeaf(host: SimulatedWindowsHost, leaf: Issued, binding: { site?: string; ip?: string; port?: number; host?: string; sslFlags?: number }): void {
  host.addCertificate("My", leaf.cert, leaf.key.privateKey);
  const hostName = binding.host ?? "";
  host.addBinding({
    site: binding.site ?? "Default Web Site",
    ip: binding.ip ?? "*",
    port: binding.port ?? 443,
    host: hostName,
    sslFlags: binding.sslFlags ?? (hostName ? 1 : 0),
    certificateHash: leaf.cert.sha1,
    certificateStore: "My",
  });
}

/** sectigoHost with an old leaf for example.test bound by SNI: the host before a deployment. */
export async function sectigoSiteHost(s: Sectigo): Promise<SimulatedWindowsHost> {
  const host = sectigoHost(s);
  bindLeaf(host, await s.pki.leaf("example.test", s.r36), { host: "example.test" });
  return host;
}

/** The cross-signed RSA chain legacy clients need: leaf, R36, R46 by USERTrust. */
export function desiredRsa(s: Sectigo) {
  return [s.leaf.cert, s.r36.cert, s.r46ByUsertrust.cert];
}

export function desiredEcc(s: Sectigo) {
  return [s.eccLeaf.cert, s.e36.cert, s.e46ByUsertrust.cert];
}

/** A 2021 host with ISRG Root X1 and DST Root CA X3 in Root, and both same-key X3 intermediates in CA. */
export function letsEncryptX3Host(le: LetsEncrypt, at: Date): SimulatedWindowsHost {
  const host = new SimulatedWindowsHost({ at });
  for (const root of [le.x1, le.dst]) host.addCertificate("Root", root.cert);
  for (const ca of [le.x3ByX1, le.x3ByDst]) host.addCertificate("CA", ca.cert);
  return host;
}

// The Microsoft root program, as bundled with chainsmith (chain/trust-stores/).
const MICROSOFT_PROGRAM = bundledStoreFile(findBundledStore("windows")!);

/** Microsoft's root program list: what automatic root update can download. */
export function microsoftProgramRoots(): Certificate[] {
  return parseCertificates(fs.readFileSync(MICROSOFT_PROGRAM), MICROSOFT_PROGRAM);
}

/** Sectigo's RSA hierarchy with its real key sizes: USERTrust RSA and R46 are RSA-4096. */
export async function sectigoRsa4096(pki = new Pki()) {
  const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
  const aaa = await pki.root("AAA Certificate Services", { keyType: "rsa", subjectSuffix: "O=Comodo CA Limited, C=GB", notBefore: d("2004-01-01"), notAfter: d("2028-12-31") });
  const usertrustRsa = await pki.root("USERTrust RSA Certification Authority", { keyType: "rsa-4096", subjectSuffix: "O=The USERTRUST Network, C=US", notBefore: d("2010-02-01"), notAfter: d("2038-01-18") });
  const usertrustRsaByAaa = await pki.crossSign(usertrustRsa, aaa, { notBefore: d("2019-03-12"), notAfter: d("2028-12-31") });
  const r46 = await pki.root("Sectigo Public Server Authentication Root R46", { keyType: "rsa-4096", subjectSuffix: "O=Sectigo Limited, C=GB", notBefore: d("2021-03-22"), notAfter: d("2046-03-21") });
  const r46ByUsertrust = await pki.crossSign(r46, usertrustRsa, { notBefore: d("2021-03-22"), notAfter: d("2038-01-18") });
  const r36 = await pki.intermediate("Sectigo Public Server Authentication CA DV R36", r46, { keyType: "rsa", pathLen: 0, notBefore: d("2021-03-22"), notAfter: d("2036-03-21") });
  const leaf = await pki.leaf("www.example.test", r36, { keyType: "rsa" });
  const oldLeaf = await pki.leaf("www.example.test", r36, { keyType: "rsa" });
  return { pki, at: pki.now, aaa, usertrustRsa, usertrustRsaByAaa, r46, r46ByUsertrust, r36, leaf, oldLeaf, pool: [r36, r46ByUsertrust, usertrustRsaByAaa, r46] };
}
export type SectigoRsa4096 = Awaited<ReturnType<typeof sectigoRsa4096>>;

/**
 * A production-like host of about 150 certificates: 130 of Microsoft's program roots (40 in
 * Root, 90 downloaded into AuthRoot), a dozen unrelated intermediates in CA, the Sectigo
 * hierarchy with its RSA-4096 roots (self-signed R46 in Root), an old leaf bound on 443 by
 * SNI, a WinRM HTTPS entry in http.sys, and several sites.
 */
export async function productionHost(s: SectigoRsa4096): Promise<SimulatedWindowsHost> {
  const host = new SimulatedWindowsHost({ at: s.at, sites: ["Default Web Site", "Shop", "Intranet", "api"], computerName: "WEB-PROD-07" });
  const program = microsoftProgramRoots();
  program.slice(0, 40).forEach((c) => host.addCertificate("Root", c));
  program.slice(40, 130).forEach((c) => host.addCertificate("AuthRoot", c));
  const otherRoot = await s.pki.root("Contoso Internal Root", { keyType: "rsa" });
  for (let i = 0; i < 12; i++) host.addCertificate("CA", (await s.pki.intermediate(`Contoso Issuing CA ${i + 1}`, otherRoot)).cert);
  host.addCertificate("Root", otherRoot.cert);
  for (const root of [s.aaa, s.usertrustRsa, s.r46]) host.addCertificate("Root", root.cert);
  host.addCertificate("CA", s.r36.cert);
  bindLeaf(host, s.oldLeaf, { host: "www.example.test" });
  const winrm = await s.pki.leaf("web-prod-07.contoso.test", (await s.pki.intermediate("Contoso Issuing CA 13", otherRoot)));
  host.addCertificate("My", winrm.cert, winrm.key.privateKey);
  host.addHttpSysEntry({ kind: "ipport", endpoint: "0.0.0.0:5986", certificateHash: winrm.cert.sha1, certificateStore: "MY", appId: "{afebb9ad-9b97-4a91-9ab5-daf4d59122f6}" });
  return host;
}

/** The host's inventory as the provider reads it for this chain and binding (focus included). */
export function inventoryOf(host: SimulatedWindowsHost, desiredChain: readonly Certificate[], binding: BindingSpec = { site: "Default Web Site", port: 443 }, known: readonly Certificate[] = []): HostInventory {
  const spec = { desiredChain, binding, knownCertificates: known };
  return new HostInventory(host.inventory(focusOf(spec)), knownCertificates(spec));
}
