/** What went wrong when reading a server's chain; stable for programs, tests and the CLI. */
export type ProbeErrorCode =
  | "dns-failure"
  | "connection-refused"
  | "connection-failed"
  | "connection-closed"
  | "timeout"
  | "not-tls"
  | "handshake-alert"
  | "unknown-sni"
  | "unsupported"
  | "protocol-error"
  // STARTTLS-style upgrades (probe/starttls/): the server does not offer it, refuses it, or answers out of its protocol.
  | "starttls-not-offered"
  | "starttls-refused"
  | "out-of-protocol";

/**
 * A probe that could not read the served chain. The message names the endpoint, says what
 * happened and what to check; `alert` holds the TLS alert name for alert-driven failures.
 */
export class ProbeError extends Error {
  constructor(
    readonly code: ProbeErrorCode,
    /** "host:port" (and the SNI name when it differs from the host). */
    readonly endpoint: string,
    message: string,
    readonly alert?: string,
  ) {
    super(`${endpoint}: ${message}`);
    this.name = "ProbeError";
  }
}

/** Bytes that do not decode as the TLS structure they should be (wrapped into ProbeError by probe()). */
export class TlsDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TlsDecodeError";
  }
}

/** The server's answer is not TLS at all (e.g. an HTTP server answered the ClientHello). */
export class NotTlsError extends TlsDecodeError {
  constructor(readonly firstBytes: Buffer) {
    super("the server's answer is not a TLS record");
    this.name = "NotTlsError";
  }
}

/** Valid TLS that this probe cannot read (e.g. a cipher suite Node never offers). */
export class TlsUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TlsUnsupportedError";
  }
}
