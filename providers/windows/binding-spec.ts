/**
 * The IIS binding a user names, checked before anything reaches the host: the site, the
 * port, the address ("*", IPv4 or IPv6) and the SNI host name (a DNS name). Host and
 * address end up in IIS's bindingInformation and in netsh's arguments, so only values
 * that are exactly what they claim to be pass.
 */
import * as net from "node:net";
import { ChainsmithInputError } from "../../chain/errors";
import type { BindingKey } from "./contract";

export interface BindingSpec {
  /** IIS site name, e.g. "Default Web Site". */
  site: string;
  port: number;
  /** "*" (default), an IPv4 address, or an IPv6 address (with or without brackets). */
  ip?: string;
  /** Host name for an SNI binding (ASCII, punycode for IDNs); "" or absent for an IP binding. */
  host?: string;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The binding as IIS writes it: ip "*" or an address (IPv6 in brackets), host in lowercase. */
export function normalizeBinding(spec: BindingSpec): BindingKey {
  if (!spec.site || /[\u0000-\u001f"]/.test(spec.site)) {
    throw new ChainsmithInputError("windows-binding-site", 'binding.site is empty or holds a quote or control character: name the IIS site, e.g. "Default Web Site".');
  }
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) throw new ChainsmithInputError("windows-binding-port", `binding.port ${spec.port} is not a TCP port (1-65535).`);
  return { site: spec.site, port: spec.port, ip: normalizeIp(spec.ip ?? "*"), host: normalizeHost(spec.host ?? "") };
}

function normalizeIp(ip: string): string {
  if (ip === "*") return ip;
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  if (net.isIPv4(bare) && bare === ip) return ip;
  if (net.isIPv6(bare) && !bare.includes("%")) return `[${bare.toLowerCase()}]`;
  throw new ChainsmithInputError("windows-binding-ip", `binding.ip ${JSON.stringify(ip)} is not "*", an IPv4 address or an IPv6 address. Give one of those (e.g. "*" or "10.0.0.5").`);
}

function normalizeHost(host: string): string {
  if (host === "") return host;
  const lower = host.toLowerCase().replace(/\.$/, "");
  if (lower.length <= 253 && lower.split(".").every((l) => LABEL.test(l))) return lower;
  const hint = host.includes("*") ? " Wildcard host bindings are not supported: bind each name." : /[^\x00-\x7f]/.test(host) ? " Give an internationalized name in its punycode (xn--) form." : "";
  throw new ChainsmithInputError("windows-binding-host", `binding.host ${JSON.stringify(host)} is not a DNS host name (letters, digits and hyphens in dot-separated labels).${hint}`);
}
