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

/** The plain values, and the top-level properties that held a secret anywhere inside. */
export function fromWire(properties: Properties | undefined): { values: Properties; secretKeys: Set<string> } {
  const secretKeys = new Set<string>();
  const values: Properties = {};
  for (const [key, value] of Object.entries(properties ?? {})) {
    let secret = false;
    values[key] = plain(value, () => (secret = true));
    if (secret) secretKeys.add(key);
  }
  return { values, secretKeys };
}

function plain(value: unknown, markSecret: () => void): unknown {
  if (Array.isArray(value)) return value.map((v) => plain(v, markSecret));
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  if (object[SIG] === SECRET_SIG) {
    markSecret();
    return plain(object.value, markSecret);
  }
  if (object[SIG] === OUTPUT_SIG) {
    if (object.secret === true) markSecret();
    return "value" in object ? plain(object.value, markSecret) : UNKNOWN;
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, plain(v, markSecret)]));
}

/** Properties for the engine: the named ones marked secret. */
export function toWire(values: Properties, secretKeys: Iterable<string>): Properties {
  const out: Properties = { ...values };
  for (const key of secretKeys) {
    if (out[key] !== undefined && out[key] !== null) out[key] = { [SIG]: SECRET_SIG, value: out[key] };
  }
  return out;
}
