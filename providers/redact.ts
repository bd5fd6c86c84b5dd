// Command output can echo what it was given; nothing secret may reach a message or a log,
// in any encoding: a config test may print the key as PEM, as base64 DER on one line, or as
// hex (od, xxd, `openssl pkey -text`).
import * as crypto from "node:crypto";

const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
// Runs of base64 (standard or URL-safe; wrapped: a line of base64 alone continues the run) and
// of hex bytes, across line breaks, with the separators dumps use (spaces, colons, \x, 0x).
const BASE64_RUN = /[A-Za-z0-9+/_=-]{11,}(?:\r?\n[ \t]*[A-Za-z0-9+/_=-]+(?=[ \t]*(?:\r?\n|$)))*/g;
const HEX_RUN = /(?:[0-9A-Fa-f]{2})+(?:(?:[ \t:]|\r?\n|\\x|0x)+(?:[0-9A-Fa-f]{2})+)*/g;
// A decoded run that shares this many consecutive bytes with a secret is that secret: eight
// random bytes of a private key never occur by chance.
const WINDOW = 8;
// Encodings nest (base64 of a PEM file): decoded text is searched again, this deep.
const MAX_DEPTH = 2;

/**
 * `text` with every PEM private key block, every given secret (and each of its lines)
 * replaced, and every base64 or hex run that decodes to a piece of a secret: the private
 * parts of each private key among the secrets, or the bytes of any other secret (passphrases).
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = redactEncoded(text.replace(PRIVATE_KEY_BLOCK, "[redacted private key]"), secretWindows(secrets));
  const pieces = secrets.flatMap((s) => [s, ...s.split(/\r?\n/)]).map((s) => s.trim()).filter((s) => s.length >= 4);
  // Longest first, so a whole secret is replaced before any of its lines.
  for (const piece of [...new Set(pieces)].sort((a, b) => b.length - a.length)) out = out.split(piece).join("[redacted]");
  return out;
}

/** `text` with each whole base64 or hex run that holds a secret window replaced (before exact pieces cut runs apart). */
function redactEncoded(text: string, windows: Set<string>): string {
  if (windows.size === 0) return text;
  // A hex run is a base64 run too: merge overlapping spans, then replace from the end.
  const spans = [...encodedRuns(text)].filter((run) => decodingsOf(run.text).some((bytes) => holdsSecret(bytes, windows, 1))).map((run) => ({ start: run.start, end: run.start + run.text.length }));
  const merged: { start: number; end: number }[] = [];
  for (const span of spans.sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  let out = text;
  for (const span of merged.reverse()) out = `${out.slice(0, span.start)}[redacted]${out.slice(span.end)}`;
  return out;
}

/** The same error with every given secret scrubbed from its message (name and code kept). */
export function scrubError(error: unknown, secrets: readonly string[]): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const clean = new Error(redact(original.message, secrets));
  clean.name = original.name;
  return Object.assign(clean, { code: (original as { code?: string }).code });
}

/** The values of the named secret inputs that are set. */
export function secretValues<T>(inputs: Partial<T>, names: readonly (keyof T)[]): string[] {
  return names.map((name) => inputs[name]).filter((s): s is NonNullable<T[keyof T]> & string => typeof s === "string" && s.length > 0);
}

/** Runs a provider method; every error leaving it is scrubbed of the secrets it was given. */
export async function guarded<T>(secrets: readonly string[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw scrubError(error, secrets);
  }
}

/** Every WINDOW-byte piece of the secrets, hex: the private components of each key (not its public half), the bytes of the rest. */
function secretWindows(secrets: readonly string[]): Set<string> {
  const windows = new Set<string>();
  const add = (bytes: Buffer) => {
    for (let i = 0; i + WINDOW <= bytes.length; i++) windows.add(bytes.subarray(i, i + WINDOW).toString("hex"));
  };
  for (const secret of secrets) {
    const blocks = secret.match(PRIVATE_KEY_BLOCK);
    if (!blocks) add(Buffer.from(secret, "utf8"));
    for (const block of blocks ?? []) privateComponents(block, secrets).forEach(add);
  }
  return windows;
}

// JWK members that are private: RSA's d, p, q and CRT values, the EC and EdDSA private scalar or seed.
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"] as const;

function privateComponents(pem: string, secrets: readonly string[]): Buffer[] {
  // An encrypted key opens with one of the other secrets (its passphrase), if at all.
  for (const passphrase of [undefined, ...secrets]) {
    try {
      const jwk = crypto.createPrivateKey({ key: pem, passphrase }).export({ format: "jwk" }) as Record<string, unknown>;
      return PRIVATE_JWK_MEMBERS.flatMap((member) => (typeof jwk[member] === "string" ? [Buffer.from(jwk[member] as string, "base64url")] : []));
    } catch {
      // not this passphrase, or a key node:crypto cannot read: its exact lines are still redacted
    }
  }
  return [];
}

function* encodedRuns(text: string): Generator<{ start: number; text: string }> {
  for (const pattern of [BASE64_RUN, HEX_RUN]) for (const match of text.matchAll(pattern)) yield { start: match.index!, text: match[0] };
}

/** Every way `run` may decode: as base64 from each of its four alignments (between padding), as hex from both nibbles. */
function decodingsOf(run: string): Buffer[] {
  const decodings: Buffer[] = [];
  if (/^[0-9A-Fa-f\s:x\\]+$/.test(run)) {
    const digits = run.replace(/0x|\\x|[^0-9A-Fa-f]/g, "");
    for (const skip of [0, 1]) decodings.push(Buffer.from(digits.slice(skip, skip + 2 * Math.floor((digits.length - skip) / 2)), "hex"));
  }
  for (const segment of run.replace(/\s/g, "").split("=")) {
    for (let skip = 0; skip < 4 && segment.length - skip >= 11; skip++) decodings.push(Buffer.from(segment.slice(skip), "base64"));
  }
  return decodings;
}

function holdsSecret(bytes: Buffer, windows: Set<string>, depth: number): boolean {
  for (let i = 0; i + WINDOW <= bytes.length; i++) if (windows.has(bytes.subarray(i, i + WINDOW).toString("hex"))) return true;
  // Decoded text (base64 of a PEM file, hex of a base64 line) is searched again.
  if (depth >= MAX_DEPTH || bytes.length < 11 || !/^[\x09\x0a\x0d\x20-\x7e]+$/.test(bytes.toString("latin1"))) return false;
  const text = bytes.toString("latin1");
  return [...encodedRuns(text)].some((run) => decodingsOf(run.text).some((inner) => holdsSecret(inner, windows, depth + 1)));
}
