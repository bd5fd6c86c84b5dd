// Command output can echo what it was given; nothing secret may reach a message or a log.

const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

/** `text` with every PEM private key block and every given secret (and each of its lines) replaced. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(PRIVATE_KEY_BLOCK, "[redacted private key]");
  const pieces = secrets.flatMap((s) => [s, ...s.split(/\r?\n/)]).map((s) => s.trim()).filter((s) => s.length >= 4);
  // Longest first, so a whole secret is replaced before any of its lines.
  for (const piece of [...new Set(pieces)].sort((a, b) => b.length - a.length)) out = out.split(piece).join("[redacted]");
  return out;
}
