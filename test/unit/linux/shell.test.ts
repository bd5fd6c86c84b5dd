import { describe, expect, it } from "vitest";
import { ChainsmithInputError } from "../../../chain/errors";
import { parseHashes, parseSnapshots, shellQuote } from "../../../providers/linux/hosts/shell";

describe("shell commands", () => {
  it("quotes words with single quotes inside", () => {
    expect(shellQuote("/etc/it's/x.pem")).toBe(`'/etc/it'\\''s/x.pem'`);
  });

  it("reads files, links (names hex-encoded) and absences from one answer, one line each", () => {
    const content = Buffer.from("line1\nline2\n");
    const answer = Buffer.from(`file 640 0 110 ${content.toString("base64")}\nabsent\nlink ${Buffer.from("../archive/a\nb.pem").toString("hex")}\nfile 644 0 0 \n`);
    expect(parseSnapshots(answer, ["/a", "/b", "/c", "/d"], "host")).toEqual([
      { kind: "file", mode: 0o640, uid: 0, gid: 110, content },
      undefined,
      { kind: "link", target: "../archive/a\nb.pem" },
      { kind: "file", mode: 0o644, uid: 0, gid: 0, content: Buffer.alloc(0) },
    ]);
    expect(() => parseSnapshots(Buffer.from("absent\n"), ["/a", "/b"], "host")).toThrow(/ends after 1 of 2 files/);
  });

  it("refuses what the host says is not a regular file, or too large, naming the path", () => {
    const refusal = (answer: string) => {
      try {
        parseSnapshots(Buffer.from(answer), ["/etc/tls/x.pem"], "root@h:22");
      } catch (error) {
        return error as ChainsmithInputError;
      }
      throw new Error("not refused");
    };
    expect(refusal("other fifo\n")).toMatchObject({ code: "target-not-a-file", message: expect.stringContaining("root@h:22: /etc/tls/x.pem is a fifo, not a regular file") });
    expect(refusal("large 5000000\n")).toMatchObject({ code: "target-file-too-large", message: expect.stringContaining("/etc/tls/x.pem holds 5000000 bytes") });
  });

  it("reads one hash or '-' per path, and refuses an answer with one missing", () => {
    const hash = "a".repeat(64);
    expect(parseHashes(Buffer.from(`${hash}\n-\n`), 2)).toEqual([hash, null]);
    expect(() => parseHashes(Buffer.from(`${hash}\n`), 2)).toThrow(/no hash/);
  });
});
