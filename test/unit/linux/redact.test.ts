import { describe, expect, it } from "vitest";
import { redact } from "../../../providers/redact";
import { atomicWriteCommand, parseSnapshots, shellQuote } from "../../../providers/linux/hosts/shell";

describe("redact", () => {
  it("removes PEM private key blocks and every line of given secrets", () => {
    const key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
    const text = `nginx: bad key ${key} and the line MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg alone; passphrase hunter2-xyz`;
    const out = redact(text, [key, "hunter2-xyz"]);
    expect(out).not.toContain("MIGHAgEA");
    expect(out).not.toContain("hunter2-xyz");
    expect(out).toContain("[redacted private key]");
  });
});

describe("shell commands", () => {
  it("quotes words with single quotes inside", () => {
    expect(shellQuote("/etc/it's/x.pem")).toBe(`'/etc/it'\\''s/x.pem'`);
  });

  it("writes through a temporary file and removes it when a step fails", () => {
    const command = atomicWriteCommand("/etc/tls/privkey.pem", "/etc/tls/.privkey.pem.chainsmith-1.tmp", 0o640, "root:ssl-cert");
    expect(command).toBe(
      "umask 077; { cat > '/etc/tls/.privkey.pem.chainsmith-1.tmp' && chmod 0640 '/etc/tls/.privkey.pem.chainsmith-1.tmp' && chown 'root:ssl-cert' '/etc/tls/.privkey.pem.chainsmith-1.tmp' && sync '/etc/tls/.privkey.pem.chainsmith-1.tmp' && mv -f '/etc/tls/.privkey.pem.chainsmith-1.tmp' '/etc/tls/privkey.pem'; } || { rc=$?; rm -f '/etc/tls/.privkey.pem.chainsmith-1.tmp'; exit $rc; }",
    );
  });

  it("reads each file's mode, owner and content, or its absence, from one answer", () => {
    const answer = Buffer.from("640 0 110 12\nline1\nline2\nabsent\n644 0 0 3\nend");
    expect(parseSnapshots(answer, 3)).toEqual([
      { mode: 0o640, uid: 0, gid: 110, content: Buffer.from("line1\nline2\n") },
      undefined,
      { mode: 0o644, uid: 0, gid: 0, content: Buffer.from("end") },
    ]);
    expect(() => parseSnapshots(Buffer.from("absent\n"), 2)).toThrow(/ends after 1 of 2 files/);
  });
});
