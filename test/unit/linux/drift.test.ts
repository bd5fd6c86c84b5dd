import { describe, expect, it } from "vitest";
import { explainFileDrift, type KnownContent, type RecordedFile } from "../../../providers/linux/drift";

const fullchain: RecordedFile = { path: "/etc/nginx/tls/fullchain.pem", sha256: "1".repeat(64) };
const known: KnownContent[] = [{ sha256: "3".repeat(64), description: "the leaf only" }];

describe("explaining a drifted file", () => {
  it("is silent when the file holds what was deployed", () => {
    expect(explainFileDrift(fullchain, [{ path: fullchain.path, sha256: fullchain.sha256 }], known)).toBeUndefined();
  });

  it("names a recognised content: a fullchain replaced by the leaf alone", () => {
    expect(explainFileDrift(fullchain, [{ path: fullchain.path, sha256: "3".repeat(64) }], known)).toBe("/etc/nginx/tls/fullchain.pem changed on the host: it now holds the leaf only");
  });

  it("reports an unknown change and a missing file", () => {
    expect(explainFileDrift(fullchain, [{ path: fullchain.path, sha256: "9".repeat(64) }], known)).toBe("/etc/nginx/tls/fullchain.pem changed on the host");
    expect(explainFileDrift(fullchain, [{ path: fullchain.path, sha256: null }], known)).toBe("/etc/nginx/tls/fullchain.pem is missing on the host");
    expect(explainFileDrift(fullchain, [], known)).toBe("/etc/nginx/tls/fullchain.pem is missing on the host");
  });
});
