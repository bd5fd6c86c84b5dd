import { describe, expect, it } from "vitest";
import { Conversation, MAX_DIALOGUE_BYTES, MAX_LINE_BYTES, MAX_LINES } from "../../../probe/starttls/conversation";
import { extendedResult, startTlsRequest } from "../../../probe/starttls/ldap";
import { readReply } from "../../../probe/starttls/smtp";

const conversation = (...chunks: string[]) => {
  const c = new Conversation(() => undefined, "SMTP");
  for (const chunk of chunks) c.push(Buffer.from(chunk, "latin1"));
  return c;
};

describe("the plain-text conversation before TLS", () => {
  it("reads lines however the bytes were split, CR LF or LF", async () => {
    const c = conversation("22", "0-first\r", "\n220 last\nrest");
    expect(await c.readLine()).toBe("220-first");
    expect(await c.readLine()).toBe("220 last");
    expect(c.unread).toBe(4);
  });

  it("is bounded: line length, lines, bytes; and says when the server closed", async () => {
    await expect(conversation("x".repeat(MAX_LINE_BYTES + 1)).readLine()).rejects.toMatchObject({ code: "out-of-protocol", message: expect.stringContaining(`longer than ${MAX_LINE_BYTES} bytes`) });
    const many = conversation("250-x\r\n".repeat(MAX_LINES + 1));
    await expect(readReply(many, "the answer to EHLO")).rejects.toMatchObject({ code: "out-of-protocol", message: expect.stringContaining(`more than ${MAX_LINES} lines`) });
    const flood = conversation("x".repeat(MAX_DIALOGUE_BYTES), "y");
    await expect(flood.readBytes(1)).rejects.toMatchObject({ code: "out-of-protocol", message: expect.stringContaining("more than 64 KiB") });
    const closed = conversation("220 partial");
    closed.end();
    await expect(closed.readLine()).rejects.toMatchObject({ code: "connection-closed" });
  });

  it("reads SMTP and FTP multi-line replies", async () => {
    expect(await readReply(conversation("250-mx.test\r\n250-STARTTLS\r\n250 SIZE 10\r\n"), "EHLO")).toEqual({ code: 250, lines: ["mx.test", "STARTTLS", "SIZE 10"] });
    expect(await readReply(conversation("220-Welcome\r\n  no code here\r\n220 ready\r\n"), "the greeting")).toEqual({ code: 220, lines: ["Welcome", "  no code here", "ready"] });
    expect(await readReply(conversation("250\r\n"), "EHLO")).toEqual({ code: 250, lines: [""] });
  });
});

describe("LDAP StartTLS messages", () => {
  it("asks with the StartTLS OID and reads the result code and the diagnostic", () => {
    expect(startTlsRequest().toString("hex")).toBe(`301d02010177188016${Buffer.from("1.3.6.1.4.1.1466.20037").toString("hex")}`);
    const response = (hex: string) => Buffer.from(hex.replace(/\s/g, ""), "hex");
    expect(extendedResult(response("300c 020101 7807 0a0100 0400 0400"))).toEqual({ code: 0, diagnostic: "" });
    // A Notice of Disconnection: message ID 0, unavailable (52), with a text.
    expect(extendedResult(response("3011 020100 780c 0a0134 0400 0405 62757379 21"))).toEqual({ code: 52, diagnostic: "busy!" });
    expect(extendedResult(response("3005 020101 6100"))).toBeUndefined();
    expect(extendedResult(response("300c 020101 7807 0a0100 04"))).toBeUndefined();
  });
});
