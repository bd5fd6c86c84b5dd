// Text that comes from certificates and servers (subjects, issuers, labels), made safe to show
// in a terminal or a Markdown page: control characters (C0, DEL, C1) and Unicode's bidi
// controls and line separators become visible escapes (\x1b, \u009b, \u202e). A subject can
// then not move the cursor, clear the screen, start a line of its own or reorder the text.
// The one escaping function: every renderer (cli/, chain/explain.ts, chain/served-comparison-text.ts) uses it.

// Everything JSON.stringify leaves raw among them: it escapes C0 itself.
const UNSAFE_IN_JSON = "\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const UNSAFE = new RegExp(`[\\u0000-\\u001f${UNSAFE_IN_JSON}]`, "g");
const UNSAFE_JSON = new RegExp(`[${UNSAFE_IN_JSON}]`, "g");

/** `text` with every control character shown as an escape: one line, nothing a terminal acts on. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** JSON text of `value` with those characters as \u escapes: the same value to a JSON reader, nothing raw for a terminal. */
export function printableJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
