import * as net from "node:net";
import { ChainsmithInputError } from "../chain/errors";

/**
 * How a client reaches the server's TLS: `tls` at once (HTTPS and any TLS port); `smtps`,
 * `imaps`, `pop3s` and `ldaps` at once on their own ports; the others after their protocol's
 * STARTTLS-style upgrade in plain text (probe/starttls/).
 */
export type Protocol = "tls" | "smtp" | "smtps" | "imap" | "imaps" | "pop3" | "pop3s" | "ftp" | "ldap" | "ldaps" | "postgres" | "xmpp";

/** The port each protocol's servers listen on unless told otherwise (IANA). */
export const DEFAULT_PORTS: Record<Protocol, number> = {
  tls: 443,
  smtp: 25,
  smtps: 465,
  imap: 143,
  imaps: 993,
  pop3: 110,
  pop3s: 995,
  ftp: 21,
  ldap: 389,
  ldaps: 636,
  postgres: 5432,
  xmpp: 5222,
};

export const PROTOCOLS = Object.keys(DEFAULT_PORTS) as Protocol[];

/** A server's TLS endpoint: what the probe connects to, as programs, targets and the CLI give it. */
export interface Endpoint {
  host: string;
  port: number;
  /** SNI name; defaults to host when it is a DNS name. */
  servername?: string;
  /** Default "tls" (TLS at once). */
  protocol?: Protocol;
}

/** The protocol of an endpoint, refused with the list of known ones when it is not one; `where` names the input. */
export function checkProtocol(value: unknown, where: string): Protocol {
  if (value === undefined) return "tls";
  if (typeof value === "string" && Object.prototype.hasOwnProperty.call(DEFAULT_PORTS, value)) return value as Protocol;
  throw new ChainsmithInputError("unknown-protocol", `${where}: protocol '${String(value)}' is not one the probe speaks. Use one of ${PROTOCOLS.join(", ")}.`);
}

/**
 * "host", "host:port", "1.2.3.4:port", "[::1]:port" or a bare IPv6 address, as people write
 * endpoints, optionally after "PROTOCOL://" (smtp://mail.example.com:587); the port defaults
 * to the protocol's (443 without one). `where` names the input in errors.
 */
export function parseEndpoint(text: string, where = "endpoint"): Endpoint {
  const scheme = /^\s*([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  // https:// is how people paste a web endpoint: TLS at once.
  const protocol = scheme ? checkProtocol(scheme[1].toLowerCase() === "https" ? "tls" : scheme[1].toLowerCase(), where) : undefined;
  const spec = text.slice(scheme ? scheme[0].length : 0).trim();
  const notEndpoint = () =>
    new ChainsmithInputError(
      "bad-endpoint",
      `${where}: '${text}' is not [PROTOCOL://]HOST[:PORT]. Write e.g. www.example.com, www.example.com:8443, smtp://mail.example.com:587 or [2001:db8::1]:443 (no path).`,
    );
  if (spec.includes("/")) throw notEndpoint();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  let host: string;
  let port: string | undefined;
  if (bracketed) {
    [, host, port] = bracketed;
  } else if (net.isIPv6(spec)) {
    host = spec;
  } else {
    const colon = spec.lastIndexOf(":");
    host = colon < 0 ? spec : spec.slice(0, colon);
    port = colon < 0 ? undefined : spec.slice(colon + 1);
  }
  if (host === "" || /\s/.test(host)) throw notEndpoint();
  const number = port === undefined ? DEFAULT_PORTS[protocol ?? "tls"] : /^\d+$/.test(port) ? Number(port) : NaN;
  if (!Number.isInteger(number) || number < 1 || number > 65535) {
    throw new ChainsmithInputError("bad-endpoint", `${where}: port '${port}' in '${text}' is not a TCP port. Give a whole number from 1 to 65535.`);
  }
  return protocol === undefined ? { host, port: number } : { host, port: number, protocol };
}

/**
 * "host:port", "[v6]:port", "smtp://host:port" for the protocols that are not plain TLS, with
 * " (SNI name)" when the SNI name is not the host: how messages name an endpoint.
 */
export function endpointLabel(host: string, port: number, servername?: string, protocol?: Protocol): string {
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const scheme = protocol === undefined || protocol === "tls" ? "" : `${protocol}://`;
  return `${scheme}${shownHost}:${port}${servername && servername !== host ? ` (SNI ${servername})` : ""}`;
}
