// How property values travel between the Pulumi engine and this provider. The engine marks a
// secret as { [SIG]: SECRET_SIG, value } (we accept secrets), an output value as
// { [SIG]: OUTPUT_SIG, value?, secret? }, and a value not known yet (preview) as UNKNOWN.
// The resource kinds see plain values; the wire keeps secrets secret both ways.

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** How the engine passes a value that is not known until another resource is deployed. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Properties = Record<string, unknown>;

/** True when the value is, or holds, a value not known yet. */
export function hasUnknowns(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes(UNKNOWN);
}

/**
 * The plain values; the top-level properties that held a secret anywhere inside; and the texts
 * that were secret (the strings inside secret markers), to find them again in outputs.
 */
export function fromWire(properties: Properties | undefined): { values: Properties; secretKeys: Set<string>; secretTexts: string[] } {
  const secretKeys = new Set<string>();
  const secretTexts: string[] = [];
  const values: Properties = {};
  for (const [key, value] of Object.entries(properties ?? {})) {
    let secret = false;
    values[key] = plain(value, false, (text) => {
      secret = true;
      if (text !== undefined) secretTexts.push(text);
    });
    if (secret) secretKeys.add(key);
  }
  return { values, secretKeys, secretTexts };
}

function plain(value: unknown, inSecret: boolean, markSecret: (text?: string) => void): unknown {
  if (Array.isArray(value)) return value.map((v) => plain(v, inSecret, markSecret));
  if (typeof value === "string" && inSecret) markSecret(value);
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  if (object[SIG] === SECRET_SIG) {
    markSecret();
    return plain(object.value, true, markSecret);
  }
  if (object[SIG] === OUTPUT_SIG) {
    const secret = inSecret || object.secret === true;
    if (secret) markSecret();
    return "value" in object ? plain(object.value, secret, markSecret) : UNKNOWN;
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, plain(v, inSecret, markSecret)]));
}

/**
 * The outputs to keep secret: the kind's secret properties, the inputs that were secret, and any
 * output that holds a secret input's text (a reload command built from a secret token, say).
 */
export function secretOutputKeys(outs: Properties, kindSecrets: readonly string[], inputs: { secretKeys: Iterable<string>; secretTexts: string[] }): string[] {
  const texts = inputs.secretTexts.filter((t) => t.length > 0);
  const holdsSecret = (value: unknown): boolean =>
    typeof value === "string" ? texts.some((t) => value.includes(t)) : Array.isArray(value) ? value.some(holdsSecret) : value !== null && typeof value === "object" ? Object.values(value).some(holdsSecret) : false;
  return [...kindSecrets, ...inputs.secretKeys, ...Object.keys(outs).filter((key) => holdsSecret(outs[key]))];
}

/** Properties for the engine: the named ones marked secret. */
export function toWire(values: Properties, secretKeys: Iterable<string>): Properties {
  const out: Properties = { ...values };
  for (const key of secretKeys) {
    if (out[key] !== undefined && out[key] !== null) out[key] = { [SIG]: SECRET_SIG, value: out[key] };
  }
  return out;
}
