// chainsmith on this machine: local TLS servers (tls-server.js) serve the short chain, which
// legacy clients (trusting only the old root) reject. The deployment chooses the widest chain
// (with the cross-sign), writes it to each server's directory, reloads the server and proves
// from the wire that both kinds of client now accept it. `npm run demo` runs it end to end.
//
// Config: stateDir (made by demo-site.js: pki/ and server-1/, server-2/, ...), servers (how
// many, default 1), leaf (the leaf's file name in pki/, default "leaf"; another one is a
// renewal), rollout, waves (a canary rollout in waves: targets per wave, or a share "50%"),
// policy, driftChecks, extraPort (one more endpoint to verify).
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CertificateDeployment, type Rollout, type TargetArgs } from "chainsmith";

const config = new pulumi.Config();
const stateDir = config.require("stateDir");
const leaf = config.get("leaf") ?? "leaf";
const pki = (file: string) => fs.readFileSync(path.join(stateDir, "pki", file), "utf8");

const targets: TargetArgs[] = Array.from({ length: config.getNumber("servers") ?? 1 }, (_, i) => {
  const directory = path.join(stateDir, `server-${i + 1}`);
  return {
    kind: "local",
    name: `server-${i + 1}`,
    directory,
    reloadCommand: `pid=$(cat '${directory}/server.pid') && [ "$pid" -gt 0 ] && kill -HUP "$pid"`,
    endpoints: [{ host: "127.0.0.1", port: Number(fs.readFileSync(path.join(directory, "server.port"), "utf8")) }],
  };
});
const extraPort = config.getNumber("extraPort");
const waves = config.get("waves");

const deployment = new CertificateDeployment("local-demo", {
  certificate: pki(`${leaf}.pem`),
  // In a real program: config.requireSecret("privateKey").
  privateKey: pulumi.secret(pki(`${leaf}.key`)),
  pool: pki("intermediate.pem") + pki("root-r46-by-legacy.pem") + pki("root-r46.pem"),
  policy: config.get("policy") ?? "widest",
  clientProfiles: [
    { name: "legacy", roots: pki("legacy-root.pem") },
    { name: "modern", roots: pki("root-r46.pem") },
  ],
  targets,
  endpoints: extraPort ? [{ host: "127.0.0.1", port: extraPort }] : undefined,
  rollout: waves ? { waves: waves.endsWith("%") ? waves : Number(waves) } : ((config.get("rollout") ?? "parallel") as Rollout),
  driftChecks: config.getBoolean("driftChecks") ?? true,
  verifyTimeoutMs: config.getNumber("verifyTimeoutMs"),
});

export const chain = deployment.chain.apply((c) => c.map((x) => x.label));
export const explanation = deployment.explanation;
export const report = deployment.report;
export const targetStatus = deployment.targetStatus;
export const servedChains = deployment.servedChains.apply((r) => r.map((e) => ({ endpoint: e.endpoint, chain: e.chain.map((c) => c.label), error: e.error })));
export const compatibility = deployment.compatibility;
export const drift = deployment.drift;
