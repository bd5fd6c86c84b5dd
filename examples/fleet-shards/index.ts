// One shard of a fleet too large for one stack: the hosts named in this stack's `hosts` config
// (JSON), deployed like examples/nginx-over-ssh. shards.ts makes one stack per shard and runs
// them with the Automation API; Pulumi Deployments can run the same stacks instead.
//
// Config (shards.ts sets it): hosts ([{ "name", "host", "hostKeyFingerprint" }]), certificateFile,
// poolFile, privateKey (secret), sshPrivateKey (secret), user (root), rollout ("10%" waves).
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { CertificateDeployment } from "chainsmith";

interface Host {
  name: string;
  host: string;
  hostKeyFingerprint: string;
}

const config = new pulumi.Config();
const sshPrivateKey = config.requireSecret("sshPrivateKey");

const site = new CertificateDeployment("www", {
  certificate: fs.readFileSync(config.require("certificateFile"), "utf8"),
  privateKey: config.requireSecret("privateKey"),
  pool: fs.readFileSync(config.require("poolFile"), "utf8"),
  clientProfiles: ["mozilla"],
  rollout: { waves: config.get("waves") ?? "10%" },
  targets: config.requireObject<Host[]>("hosts").map((h) => ({
    kind: "linux" as const,
    name: h.name,
    preset: "nginx" as const,
    connection: { host: h.host, user: config.get("user") ?? "root", hostKeyFingerprints: [h.hostKeyFingerprint] },
    sshPrivateKey,
    endpoints: [{ host: h.host, port: 443 }],
  })),
});

export const drift = site.drift;
