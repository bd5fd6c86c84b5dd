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
