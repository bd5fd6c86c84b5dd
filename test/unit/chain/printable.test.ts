import { describe, expect, it } from "vitest";
import { printable, printableJson } from "../../../chain/printable";

const HOSTILE = "Evil \u001b[2J\u001b[H\nResult: the chain is fine.\r\u009b31m\u007f \u202egnp.exe\u2028x\u0000";

describe("printable", () => {
  it("shows C0, DEL, C1, bidi controls and line separators as escapes, on one line", () => {
    expect(printable(HOSTILE)).toBe("Evil \\x1b[2J\\x1b[H\\x0aResult: the chain is fine.\\x0d\\x9b31m\\x7f \\u202egnp.exe\\u2028x\\x00");
    expect(printable(HOSTILE)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it("leaves ordinary text, accents and other scripts as they are", () => {
    for (const text of ["shop.example.test [1a2b3c4d]", "CN=Société Générale, O=Bank, C=FR", "日本認証局", "a\\,b"]) expect(printable(text)).toBe(text);
  });

  it("JSON keeps the value and leaves no raw control character in the text", () => {
    const json = printableJson({ subject: HOSTILE, n: 1 }, 2);
    expect(JSON.parse(json)).toEqual({ subject: HOSTILE, n: 1 });
    expect(json.replace(/\n {0,2}/g, "")).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e\u2028]/);
  });
});
