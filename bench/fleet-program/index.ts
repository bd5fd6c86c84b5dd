// The fleet stack of the WAN benchmarks (bench/engine-rollout.ts): one CertificateDeployment
// of a leaf to the targets listed in the fleet file (sshd + nginx behind toxiproxy).
//
// Config: fleetFile (JSON written by the benchmark: the leaves, the CA, the targets), leaf
// ("a" or "b": each up deploys the other), rollout (parallel, sequential, canary), waves
// (a count or "25%"), driftChecks, local (true: the same shape with local targets and no
// endpoints of their own, the engine's own cost without any network).
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { CertificateDeployment, type Rollout, type TargetArgs } from "chainsmith";

interface FleetFile {
  leaves: Record<string, { certificate: string; privateKey: string }>;
  pool: string;
  roots: string;
  targets: { name: string; sshPort: number; hostKeyFingerprint: string; clientKey: string; directory: string; localDirectory: string; configTest: string; reload: string; tlsPort: number }[];
}

const config = new pulumi.Config();
const fleet = JSON.parse(fs.readFileSync(config.require("fleetFile"), "utf8")) as FleetFile;
const leaf = fleet.leaves[config.require("leaf")];
const local = config.getBoolean("local") ?? false;
const endpoints = fleet.targets.map((t) => ({ host: "127.0.0.1", port: t.tlsPort }));
const waves = config.get("waves");

const targets: TargetArgs[] = fleet.targets.map((t) =>
  local
    ? { kind: "local", name: t.name, directory: t.localDirectory, reloadCommand: "", configTestCommand: "" }
    : {
        kind: "linux",
        name: t.name,
        connection: { host: "127.0.0.1", port: t.sshPort, user: "chainsmith-root", hostKeyFingerprints: [t.hostKeyFingerprint] },
        sshPrivateKey: pulumi.secret(t.clientKey),
        directory: t.directory,
        configTestCommand: t.configTest,
        reloadCommand: t.reload,
        endpoints: [{ host: "127.0.0.1", port: t.tlsPort }],
      },
);

const deployment = new CertificateDeployment("fleet", {
  certificate: leaf.certificate,
  privateKey: pulumi.secret(leaf.privateKey),
  pool: fleet.pool,
  clientProfiles: [{ name: "bench", roots: fleet.roots }],
  targets,
  // The local shape verifies the same endpoints, as the deployment's own.
  endpoints: local ? endpoints : undefined,
  rollout: waves ? { waves: waves.endsWith("%") ? waves : Number(waves) } : ((config.get("rollout") ?? "parallel") as Rollout),
  driftChecks: config.getBoolean("driftChecks") ?? true,
  verifyTimeoutMs: 60_000,
});

export const drift = deployment.drift;
