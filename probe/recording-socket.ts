import { Duplex } from "node:stream";
import type * as net from "node:net";

/**
 * A Duplex between a TCP socket and Node's TLS client that keeps a copy of every byte the
 * server sends until told to stop. Given to `tls.connect({socket})`, it lets the probe read
 * the handshake exactly as it came off the wire.
 */
export class RecordingSocket extends Duplex {
  private readonly chunks: Buffer[] = [];
  private recordedBytes = 0;
  private recording = true;

  constructor(
    private readonly tcp: net.Socket,
    /** Called once when the server has sent more than `limitBytes` while recording. */
    private readonly limitBytes: number,
    private readonly onLimit: () => void,
  ) {
    super();
    tcp.on("data", (chunk: Buffer) => {
      if (this.recording) this.record(chunk);
      if (!this.push(chunk)) tcp.pause();
    });
    tcp.on("end", () => this.push(null));
    tcp.on("error", (error) => this.destroy(error));
    tcp.on("close", () => this.destroy());
  }

  /** Everything recorded so far, as one buffer. */
  get received(): Buffer {
    return Buffer.concat(this.chunks, this.recordedBytes);
  }

  stopRecording(): void {
    this.recording = false;
  }

  override _read(): void {
    this.tcp.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.tcp.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.tcp.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.tcp.destroy();
    callback(error);
  }

  private record(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.recordedBytes += chunk.length;
    if (this.recordedBytes > this.limitBytes) {
      this.recording = false;
      this.onLimit();
    }
  }
}
