import * as net from "node:net";
import { ChainsmithInputError } from "../chain/errors";

/** A TLS endpoint: where a server listens, and the name a client asks for. */
export interface Endpoint {
  host: string;
  port: number;
  /** SNI name; defaults to host when it is a DNS name. */
  servername?: string;
}

const DEFAULT_TLS_PORT = 443;

/**
 * "host", "host:port", "1.2.3.4:port", "[::1]:port" or a bare IPv6 address, as people write
 * endpoints; the port defaults to 443. `where` names the input in errors.
 */
export function parseEndpoint(text: string, where = "endpoint"): Endpoint {
  const spec = text.trim();
  const notEndpoint = () =>
    new ChainsmithInputError("bad-endpoint", `${where}: '${text}' is not HOST[:PORT]. Write e.g. www.example.com, www.example.com:8443 or [2001:db8::1]:443 (no URL scheme or path).`);
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
  const number = port === undefined ? DEFAULT_TLS_PORT : /^\d+$/.test(port) ? Number(port) : NaN;
  if (!Number.isInteger(number) || number < 1 || number > 65535) {
    throw new ChainsmithInputError("bad-endpoint", `${where}: port '${port}' in '${text}' is not a TCP port. Give a whole number from 1 to 65535.`);
  }
  return { host, port: number };
}

/** "host:port", "[v6]:port", with " (SNI name)" when the SNI name is not the host: how messages name an endpoint. */
export function endpointLabel(host: string, port: number, servername?: string): string {
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return `${shownHost}:${port}${servername && servername !== host ? ` (SNI ${servername})` : ""}`;
}
