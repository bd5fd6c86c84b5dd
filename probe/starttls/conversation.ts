/**
 * The plain-text part of a STARTTLS-style connection, before TLS: what the server sent,
 * read line by line or byte by byte, with bounds that a hostile or broken server cannot
 * push past (bytes, line length, lines). Pure: the probe feeds it the socket's bytes.
 */

/** Why an upgrade dialogue stopped; `code` becomes the ProbeError's. */
export class UpgradeError extends Error {
  constructor(
    readonly code: "starttls-not-offered" | "starttls-refused" | "out-of-protocol" | "connection-closed",
    message: string,
  ) {
    super(message);
    this.name = "UpgradeError";
  }
}

// A mail server's EHLO answer is under a kilobyte; these leave room for the chattiest banner.
export const MAX_DIALOGUE_BYTES = 64 * 1024;
export const MAX_LINE_BYTES = 4096;
export const MAX_LINES = 200;

const LF = 0x0a;

export class Conversation {
  private buffered = Buffer.alloc(0);
  private receivedBytes = 0;
  private linesRead = 0;
  private ended = false;
  private failure: UpgradeError | undefined;
  private wake: (() => void) | undefined;

  constructor(
    /** Sends bytes to the server. */
    private readonly write: (bytes: Buffer) => void,
    /** The protocol, for messages ("SMTP"). */
    readonly protocolName: string,
  ) {}

  /** Bytes from the server. */
  push(chunk: Buffer): void {
    this.receivedBytes += chunk.length;
    if (this.receivedBytes > MAX_DIALOGUE_BYTES) {
      this.failure ??= this.outOfProtocol(`the server sent more than ${MAX_DIALOGUE_BYTES / 1024} KiB before TLS began`);
    } else {
      this.buffered = Buffer.concat([this.buffered, chunk]);
    }
    this.notify();
  }

  /** The server closed its side. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  send(text: string | Buffer): void {
    this.write(typeof text === "string" ? Buffer.from(text, "latin1") : text);
  }

  /** The next line, without its CR LF (read as Latin-1: the dialogues' keywords are ASCII). */
  readLine(): Promise<string> {
    return this.until(() => {
      const newline = this.buffered.indexOf(LF);
      if (newline < 0) {
        if (this.buffered.length > MAX_LINE_BYTES) throw this.outOfProtocol(`the server sent a line longer than ${MAX_LINE_BYTES} bytes`);
        return undefined;
      }
      if (++this.linesRead > MAX_LINES) throw this.outOfProtocol(`the server sent more than ${MAX_LINES} lines before TLS began`);
      const line = this.buffered.subarray(0, newline).toString("latin1").replace(/\r$/, "");
      this.buffered = this.buffered.subarray(newline + 1);
      return line;
    });
  }

  /** Exactly `length` bytes. */
  readBytes(length: number): Promise<Buffer> {
    return this.until(() => {
      if (this.buffered.length < length) return undefined;
      const bytes = this.buffered.subarray(0, length);
      this.buffered = this.buffered.subarray(length);
      return bytes;
    });
  }

  /** Everything up to and including the first match of `end` (a stream of XML, say), as Latin-1 text. */
  readUntil(end: RegExp): Promise<string> {
    return this.until(() => {
      const text = this.buffered.toString("latin1");
      const match = end.exec(text);
      if (!match) return undefined;
      const taken = match.index + match[0].length;
      this.buffered = this.buffered.subarray(taken);
      return text.slice(0, taken);
    });
  }

  /** Bytes received and not read: after the server agreed to start TLS there must be none. */
  get unread(): number {
    return this.buffered.length;
  }

  /** An UpgradeError saying the server does not speak the protocol, quoting `got` when given. */
  outOfProtocol(what: string, got?: string): UpgradeError {
    const quoted = got === undefined ? "" : ` ("${printable(got)}")`;
    return new UpgradeError("out-of-protocol", `${what}${quoted}: this is not what a ${this.protocolName} server answers. Check the port and the protocol.`);
  }

  private async until<T>(take: () => T | undefined): Promise<T> {
    for (;;) {
      if (this.failure) throw this.failure;
      const value = take();
      if (value !== undefined) return value;
      if (this.ended) throw new UpgradeError("connection-closed", `the server closed the connection in the ${this.protocolName} dialogue, before TLS began.`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** A short, safe rendering of what the server said. */
export function printable(text: string): string {
  const shown = text.replace(/[^\x20-\x7e]/g, ".");
  return shown.length > 60 ? `${shown.slice(0, 60)}...` : shown;
}
