// The chain nginx must serve, chosen, deployed over SSH (host key pinned), reloaded and
// proven from the wire; every `pulumi preview` checks the host again (drift).
//
//   pulumi config set host web1.example.net
//   pulumi config set hostKeyFingerprint SHA256:...       # ssh-keyscan web1 | ssh-keygen -lf -
//   pulumi config set --secret sshPrivateKey -- "$(cat ~/.ssh/deploy_ed25519)"
//   pulumi config set certificateFile ./cert.pem          # the leaf
//   pulumi config set poolFile ./intermediates.pem        # intermediates and cross-signs, any order
//   pulumi config set --secret privateKey -- "$(cat privkey.pem)"
//   pulumi config set endpoint web1.example.net:443
//   pulumi up
//
// Optional: sshPort, user (root), sudo (false), directory (/etc/nginx/tls), reloadCommand,
// configTestCommand (the nginx preset's otherwise), policy (widest), clientProfiles (JSON list,
// default ["mozilla"]), rollout.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { CertificateDeployment, type ProfileInput, type Rollout } from "chainsmith";

const config = new pulumi.Config();
const [endpointHost, endpointPort] = config.require("endpoint").split(":");

const site = new CertificateDeployment("www", {
  certificate: fs.readFileSync(config.require("certificateFile"), "utf8"),
  privateKey: config.requireSecret("privateKey"),
  pool: fs.readFileSync(config.require("poolFile"), "utf8"),
  policy: config.get("policy") ?? "widest",
  clientProfiles: config.getObject<ProfileInput[]>("clientProfiles") ?? ["mozilla"],
  rollout: (config.get("rollout") ?? "parallel") as Rollout,
  targets: [
    {
      kind: "linux",
      name: "web1",
      connection: {
        host: config.require("host"),
        port: config.getNumber("sshPort") ?? 22,
        user: config.get("user") ?? "root",
        sudo: config.getBoolean("sudo") ?? false,
        hostKeyFingerprints: [config.require("hostKeyFingerprint")],
      },
      sshPrivateKey: config.requireSecret("sshPrivateKey"),
      preset: "nginx",
      directory: config.get("directory") ?? "/etc/nginx/tls",
      reloadCommand: config.get("reloadCommand"),
      configTestCommand: config.get("configTestCommand"),
      endpoints: [{ host: endpointHost, port: Number(endpointPort ?? 443) }],
    },
  ],
});

export const chain = site.chain.apply((c) => c.map((x) => x.label));
export const compatibility = site.compatibility;
export const servedChains = site.servedChains.apply((r) => r.map((e) => ({ endpoint: e.endpoint, chain: e.chain.map((c) => c.label), error: e.error })));
export const targetStatus = site.targetStatus;
export const drift = site.drift;
export const report = site.report;
