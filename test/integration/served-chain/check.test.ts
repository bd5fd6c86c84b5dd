// The chainsmith:index:ServedChainCheck resource kind against real TLS servers on loopback:
// create verifies (and fails with the cause and the fix), diff reports drift in words under
// the input it concerns, read returns the live served chains. (test/e2e runs it in the engine.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedChainCheck as p } from "../../../providers/served-chain/methods";
import type { ServedChainCheckInputs, ServedChainCheckState } from "../../../providers/served-chain/resource";
import { pemOf } from "../../../harness/pki";
import { sectigo } from "../../../harness/scenarios";
import { Pki } from "../../../harness/pki";
import { servedDifference } from "../../support/served-difference";
import { startNodeTlsServer, type RunningServer } from "../../../harness/tls-servers";

let s: Awaited<ReturnType<typeof sectigo>>;
let full: RunningServer;
let short: RunningServer;

beforeAll(async () => {
  s = await sectigo(new Pki());
  full = await startNodeTlsServer({ chains: [{ certificates: [s.leaf, s.r36, s.r46ByUsertrust] }] });
  short = await startNodeTlsServer({ chains: [{ certificates: [s.leaf, s.r36] }] });
});
afterAll(async () => {
  await full?.close();
  await short?.close();
});

function inputs(port: number, overrides: Partial<ServedChainCheckInputs> = {}): ServedChainCheckInputs {
  return {
    endpoints: [{ host: "127.0.0.1", port }],
    desiredChain: pemOf(s.leaf, s.r36, s.r46ByUsertrust),
    profiles: [
      { name: "legacy", roots: s.usertrustRsa.pem },
      { name: "modern", roots: s.r46.pem },
    ],
    verifyTimeoutMs: 300,
    ...overrides,
  };
}

describe("the served-chain check provider", () => {
  it("create records what the endpoint serves and what each client makes of it", async () => {
    const { id, outs } = await p.create(inputs(full.port));
    const state = outs as ServedChainCheckState;
    expect(id).toBe(`127.0.0.1:${full.port}`);
    expect(state.drift).toEqual([]);
    expect(state.served).toHaveLength(1);
    expect(state.served[0]).toMatchObject({ endpoint: `127.0.0.1:${full.port}`, matchesDesired: true, findings: [] });
    expect(state.served[0].chain.map((c) => c.sha256)).toEqual([s.leaf, s.r36, s.r46ByUsertrust].map((c) => c.cert.sha256));
    expect(state.served[0].profiles.map((v) => [v.profile, v.trusted])).toEqual([["legacy", true], ["modern", true]]);
  });

  it("create fails with the cause and the fix when the endpoint serves another chain", async () => {
    const failure = p.create(inputs(short.port));
    await expect(failure).rejects.toThrow(`verification failed: 127.0.0.1:${short.port}: ${servedDifference([s.leaf, s.r36, s.r46ByUsertrust], [s.leaf, s.r36])}`);
    await expect(failure).rejects.toThrow(/client profile "legacy" does not trust the served chain/);
    await expect(failure).rejects.toThrow(/Fix: deploy the chosen chain to the server that answers there.*choose a chain those clients trust/s);
  });

  it("failOn settings decide what fails: a required profile only, or nothing about the chain", async () => {
    await expect(p.create(inputs(short.port, { failOnDiffers: false, requiredProfiles: ["modern"] }))).resolves.toMatchObject({ outs: { drift: [] } });
    // Nothing fails, and the state still records the short chain that is served.
    await expect(p.create(inputs(short.port, { failOnDiffers: false, failOnUntrusted: false }))).resolves.toMatchObject({
      outs: { served: [{ chain: [{ sha256: s.leaf.cert.sha256 }, { sha256: s.r36.cert.sha256 }] }] },
    });
    await expect(p.create(inputs(short.port, { failOnDiffers: false, requiredProfiles: ["legacy"] }))).rejects.toThrow(/client profile "legacy" does not trust/);
  });

  it("an endpoint that does not answer fails the verification and says so", async () => {
    const closed = await startNodeTlsServer({ chains: [{ certificates: [s.leaf] }] });
    await closed.close();
    await expect(p.create(inputs(closed.port))).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${closed.port}: cannot read the served chain .*Fix: check that the server listens`, "s"));
  });

  it("diff is quiet when the endpoint serves what was verified, and reports drift in words when it does not", async () => {
    const state = (await p.create(inputs(full.port))).outs as ServedChainCheckState;
    expect(await p.diff("id", state, inputs(full.port))).toEqual({ changes: [] });
    const drifted = { ...state, endpoints: [{ host: "127.0.0.1", port: short.port }] };
    const { changes } = await p.diff("id", drifted, inputs(short.port));
    expect(changes).toEqual([
      {
        property: "desiredChain",
        drift: true,
        reason: `127.0.0.1:${short.port}: ${servedDifference([s.leaf, s.r36, s.r46ByUsertrust], [s.leaf, s.r36])}`,
      },
      { property: "requiredProfiles", drift: true, reason: expect.stringMatching(/client profile "legacy" does not trust/) },
    ]);
  });

  it("diff with driftChecks off does not probe: only input changes count", async () => {
    const state = (await p.create(inputs(full.port))).outs as ServedChainCheckState;
    const moved = { ...state, endpoints: [{ host: "127.0.0.1", port: short.port }] };
    expect(await p.diff("id", { ...moved, driftChecks: false }, inputs(short.port, { driftChecks: false }))).toEqual({ changes: [] });
    expect(await p.diff("id", { ...state, driftChecks: false }, inputs(full.port, { driftChecks: false, desiredChain: pemOf(s.leaf, s.r36) }))).toEqual({
      changes: [{ property: "desiredChain", reason: "the desired chain changed" }],
    });
  });

  it("read returns the live served chains and the drift; unchanged props when nothing moved", async () => {
    const state = (await p.create(inputs(full.port))).outs as ServedChainCheckState;
    expect((await p.read("id", state)).props).toEqual(state);
    const drifted = { ...state, endpoints: [{ host: "127.0.0.1", port: short.port }] };
    const read = (await p.read("id", drifted)).props as ServedChainCheckState;
    expect(read.served[0].chain).toHaveLength(2);
    expect(read.drift).toEqual([`127.0.0.1:${short.port}: ${servedDifference([s.leaf, s.r36, s.r46ByUsertrust], [s.leaf, s.r36])}`, expect.stringMatching(/client profile "legacy" does not trust/)]);
  });

  it("check refuses bad inputs with what to do", async () => {
    const { failures } = await p.check({ ...inputs(full.port), endpoints: [], requiredProfiles: ["ancient"], desiredChain: "not pem" });
    expect(failures.map((f) => f.property).sort()).toEqual(["desiredChain", "endpoints", "profiles"]);
    expect(failures.find((f) => f.property === "profiles")!.reason).toMatch(/Required profile ancient is not among the client profiles \(legacy, modern\)/);
    expect(failures.find((f) => f.property === "endpoints")!.reason).toMatch(/Give at least one \{ host, port \}/);
  });
});
