/**
 * Real clients give the verdicts their meaning. A legacy client trusts only the old root
 * (AAA, as Sectigo's); the server either sends the cross-signed R46 or not. For each served
 * chain, curl, openssl s_client, Node and Python, each trusting only the old root and none
 * fetching AIA, succeed exactly when the profile verdict says "trusted".
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { run } from "../../../harness/run";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeServed } from "../../../chain/judge";
import { loadProfile } from "../../../chain/profiles";
import { probe } from "../../../probe/probe";
import type { Issued } from "../../../harness/pki";
import { startNodeTlsServer } from "../../../harness/tls-servers";
import { crossSignedSite } from "../../../harness/scenarios";

const NAME = "legacy.probe.test";
let dir: string;
let oldRootFile: string;
let aaa: Issued, r46: Issued, r46ByAaa: Issued, ca: Issued, leaf: Issued;

beforeAll(async () => {
  ({ oldRoot: aaa, newRoot: r46, newRootByOld: r46ByAaa, intermediate: ca, leaf } = await crossSignedSite(NAME));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chainsmith-clients-"));
  oldRootFile = path.join(dir, "old-root.pem");
  fs.writeFileSync(oldRootFile, aaa.pem);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs a client; whether it exited 0, with its output for failure messages. A missing client fails the test (it would pass every "not trusted" case). */
async function client(command: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  const r = await run(command, args, { timeoutMs: 60_000 });
  return { ok: r.code === 0, output: `${r.stdout}\n${r.stderr}`.slice(-600) };
}

function nodeClient(port: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port, servername: NAME, ca: [aaa.pem], rejectUnauthorized: true }, () => {
      socket.destroy();
      resolve({ ok: true, output: "" });
    });
    socket.once("error", (error) => resolve({ ok: false, output: error.message }));
  });
}

const PYTHON_CLIENT = [
  "import socket, ssl, sys",
  "context = ssl.create_default_context(cafile=sys.argv[1])",
  "with socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=10) as raw:",
  "    with context.wrap_socket(raw, server_hostname=sys.argv[3]):",
  "        pass",
].join("\n");

const clients: Record<string, (port: number) => Promise<{ ok: boolean; output: string }>> = {
  curl: (port) => client("curl", ["--silent", "--show-error", "--max-time", "10", "--cacert", oldRootFile, "--resolve", `${NAME}:${port}:127.0.0.1`, `https://${NAME}:${port}/`]),
  "openssl s_client": (port) => client("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", NAME, "-verify_return_error", "-CAfile", oldRootFile]),
  "node tls.connect": nodeClient,
  "python ssl": (port) => client("python3", ["-c", PYTHON_CLIENT, oldRootFile, String(port), NAME]),
};

describe("a legacy profile's verdict is what real clients with only the old root do", () => {
  const served: Array<[string, () => Issued[], boolean]> = [
    ["leaf, CA, cross-signed R46 (the legacy path)", () => [leaf, ca, r46ByAaa], true],
    ["leaf, CA (no cross-sign)", () => [leaf, ca], false],
    ["leaf, CA, self-signed R46 (the wrong R46)", () => [leaf, ca, r46], false],
  ];
  for (const [name, chain, expectedTrusted] of served) {
    it(`${name}: profile says ${expectedTrusted ? "trusted" : "not trusted"}, and so do curl, openssl, Node and Python`, async () => {
      const server = await startNodeTlsServer({ chains: [{ certificates: chain() }] });
      try {
        const result = await probe({ host: server.host, port: server.port, servername: NAME });
        const [verdict] = judgeServed(result.certificates, { profiles: [loadProfile(`legacy=${oldRootFile}`)] }).profiles;
        expect(verdict.trusted).toBe(expectedTrusted);
        for (const [client, connect] of Object.entries(clients)) {
          const outcome = await connect(server.port);
          expect({ client, ok: outcome.ok, output: outcome.ok === verdict.trusted ? "" : outcome.output }).toEqual({ client, ok: verdict.trusted, output: "" });
        }
      } finally {
        await server.close();
      }
    });
  }
});
