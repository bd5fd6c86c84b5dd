import { describe, expect, it } from "vitest";
import { redact } from "../../../providers/redact";

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
