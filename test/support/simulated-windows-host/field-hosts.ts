/**
 * Windows hosts as found in the field, built on the scenario PKIs (harness/scenarios.ts):
 * a 2026 host whose Root holds the self-signed Sectigo R46/E46 beside USERTrust and AAA,
 * with an old leaf bound on 443.
 */
import { Issued } from "../../../harness/pki";
import { letsEncrypt, sectigo } from "../../../harness/scenarios";
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
