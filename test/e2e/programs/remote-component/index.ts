// examples/local-demo's deployment written against the generated Node.js SDK (@chainsmith/sdk):
// the CertificateDeployment is a remote component, built by the provider plugin (Construct),
// as it is for a Python, Go, .NET or YAML program. Config: stateDir (examples/local-demo's
// demo-site: pki/, server-1/), port (server-1's), privateKey, reloadToken (a secret the
// reload command carries: it must stay secret in the state).
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as chainsmith from "@chainsmith/sdk";

const config = new pulumi.Config();
const stateDir = config.require("stateDir");
const pki = (file: string) => fs.readFileSync(path.join(stateDir, "pki", file), "utf8");
const directory = path.join(stateDir, "server-1");

const deployment = new chainsmith.CertificateDeployment("remote", {
  certificate: pki("leaf.pem"),
  privateKey: config.requireSecret("privateKey"),
  pool: pki("intermediate.pem") + pki("root-r46-by-legacy.pem") + pki("root-r46.pem"),
  clientProfiles: [
    { name: "legacy", roots: pki("legacy-root.pem") },
    { name: "modern", roots: pki("root-r46.pem") },
  ],
  targets: [
    {
      kind: chainsmith.TargetKind.Local,
      name: "server-1",
      directory,
      reloadCommand: pulumi.interpolate`token=${config.requireSecret("reloadToken")}; pid=$(cat '${directory}/server.pid') && [ "$pid" -gt 0 ] && kill -HUP "$pid"`,
      onDelete: chainsmith.OnDelete.Restore,
      endpoints: [{ host: "127.0.0.1", port: config.requireNumber("port") }],
    },
  ],
  rollout: chainsmith.Rollout.Parallel,
  verifyTimeoutMs: 5000,
});

export const chainPem = deployment.chainPem;
export const servedChains = deployment.servedChains;
export const compatibility = deployment.compatibility;
export const targetStatus = deployment.targetStatus;
export const drift = deployment.drift;
