// insecureAcceptAnyHostKey on the real engine, against a real sshd: up, preview and destroy
// each show the risk as a Pulumi warning under the resource, never as a plain info line.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { described } from "../../harness/run";
import { createStack, type PulumiResult, type PulumiStack } from "../../harness/pulumi";
import { startSshd, type Sshd } from "../../harness/sshd";
import { crossSignedSite } from "../../harness/scenarios";

const WARNING = "insecureAcceptAnyHostKey is set, the host key";

/** The lines of a run's output that carry the host-key warning. */
function warningLines(r: PulumiResult): string[] {
  return `${r.stdout}\n${r.stderr}`.split("\n").filter((line) => line.includes(WARNING));
}

/** The warning appears once, as a warning, in the diagnostics of the resource. */
function expectWarnedUnderResource(r: PulumiResult): void {
  expect(r.code, described(r)).toBe(0);
  const diagnostics = r.stdout.slice(r.stdout.indexOf("Diagnostics:"));
  const underResource = diagnostics.slice(diagnostics.indexOf("chainsmith:linux:TlsFiles (web1-tls):"));
  expect(underResource, described(r)).toMatch(new RegExp(`^\\s+warning: root@127\\.0\\.0\\.1:\\d+: ${WARNING}`, "m"));
  expect(warningLines(r).every((line) => line.includes(`warning: root@127.0.0.1`)), described(r)).toBe(true);
}

describe("insecureAcceptAnyHostKey on the real engine", () => {
  let sshd: Sshd;
  let stack: PulumiStack;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-insecure-e2e-"));
    fs.chmodSync(dir, 0o755);
    const [started, pki] = await Promise.all([startSshd(), crossSignedSite()]);
    sshd = started;
    stack = await createStack(path.join(__dirname, "programs", "insecure-host-key"), {
      transpileOnly: true,
      config: { sshPort: String(sshd.port), directory: dir, chain: pki.desiredChainPem },
      secrets: { sshPrivateKey: sshd.clientKey, privateKey: pki.leaf.keyPem },
    });
  });

  afterAll(async () => {
    await stack?.dispose();
    await sshd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("up, preview and destroy warn under the resource", async () => {
    expectWarnedUnderResource(await stack.run(["up", "--yes", "--skip-preview"]));
    expect(fs.readdirSync(dir).sort()).toContain("fullchain.pem");
    expectWarnedUnderResource(await stack.run(["preview", "--refresh"]));
    expectWarnedUnderResource(await stack.run(["destroy", "--yes", "--skip-preview"]));
  }, 180_000);
});
