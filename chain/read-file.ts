/**
 * Reading a file a user named, with bounds: at most MAX_INPUT_BYTES, and a pipe or device
 * that stops sending for STREAM_IDLE_MS is an error, not a wait without end. A certificate,
 * key or pool is a regular file or a short stream (`--leaf <(...)`); `/dev/zero`, a FIFO no
 * one writes to and a directory each end with a clear error.
 */
import * as fs from "node:fs";
import { ChainsmithInputError } from "./errors";

/** Far above any pool or trust store (a 2,000-certificate pool is about 3 MB of PEM). */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;
const STREAM_IDLE_MS = 10_000;

/** The bytes of `file`; `what` names it in errors ("--leaf leaf.pem"). */
export function readBoundedFile(file: string, what: string): Buffer {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO without a writer does not wait for one.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw unreadable(what, e);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw new ChainsmithInputError("file-unreadable", `${what}: is a directory, not a file. Give the path of the file itself.`);
    if (stat.isFile() && stat.size > MAX_INPUT_BYTES) throw tooLarge(what, stat.size);
    return readAll(fd, what);
  } catch (e) {
    if (e instanceof ChainsmithInputError) throw e;
    throw unreadable(what, e);
  } finally {
    fs.closeSync(fd);
  }
}

function readAll(fd: number, what: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  let idleSince = Date.now();
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, MAX_INPUT_BYTES + 1 - total));
    let read: number;
    try {
      read = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      if (Date.now() - idleSince > STREAM_IDLE_MS) {
        throw new ChainsmithInputError("input-stalled", `${what}: no data arrived for ${STREAM_IDLE_MS / 1000} s (a pipe or terminal that is not sending). Give a file, or a stream that ends.`);
      }
      Atomics.wait(pause, 0, 0, 10);
      continue;
    }
    if (read === 0) return Buffer.concat(chunks, total);
    total += read;
    if (total > MAX_INPUT_BYTES) throw tooLarge(what);
    chunks.push(chunk.subarray(0, read));
    idleSince = Date.now();
  }
}

function tooLarge(what: string, size?: number): ChainsmithInputError {
  const mib = MAX_INPUT_BYTES / (1024 * 1024);
  return new ChainsmithInputError(
    "input-too-large",
    `${what}: ${size === undefined ? "more" : `${size} bytes,`} than chainsmith reads from one input (${mib} MiB). Certificates, keys and pools are far smaller: check the path (a device such as /dev/zero?).`,
  );
}

function unreadable(what: string, e: unknown): ChainsmithInputError {
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  // Node decodes the command line as UTF-8: a name with other bytes arrives with U+FFFD in it, and names no file.
  const advice = code === "ENOENT" && what.includes("\ufffd") ? "The name holds bytes that are not UTF-8, which cannot reach chainsmith as given: rename the file, or pass it through a link with a UTF-8 name." : "Check the path and its permissions.";
  return new ChainsmithInputError("file-unreadable", `${what}: cannot read the file (${code}). ${advice}`);
}
