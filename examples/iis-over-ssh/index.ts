// IIS sends what the Windows chain engine builds, and it prefers the short path through a
// new self-signed root. This program has chainsmith arrange the machine's stores over SSH
// (OpenSSH for Windows; host key pinned) so that Windows builds the chosen chain: the
// cross-sign in CA, the self-signed twin in Disallowed, the PFX imported and bound. Every
// `pulumi preview` reads the host again: Windows Update bringing the root back is drift.
//
//   pulumi config set host win1.example.net
//   pulumi config set hostKeyFingerprint SHA256:...
//   pulumi config set --secret sshPrivateKey -- "$(cat ~/.ssh/deploy_ed25519)"
//   pulumi config set certificateFile ./cert.pem
//   pulumi config set poolFile ./ca-bundle.pem          # intermediates, cross-signs, self-signed roots
//   pulumi config set --secret privateKey -- "$(cat privkey.pem)"
//   pulumi config set hostName www.example.net          # SNI binding on "Default Web Site":443
//   pulumi up
//
// Optional: sshPort, user (administrator), site, bindingPort (443), endpoint (host:port to
// verify; default hostName:bindingPort), clientProfiles (JSON list, default ["mozilla"]),
// requiredProfiles (JSON list), programRootsFile (Microsoft's root program list, PEM),
// removeOldLeaf, allowIisreset, allowHttpServiceRestart (true to allow; each is off by default:
// the last two restart every site, or every http.sys user such as WinRM).
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { CertificateDeployment, type ProfileInput } from "chainsmith";

const config = new pulumi.Config();
const hostName = config.require("hostName");
const bindingPort = config.getNumber("bindingPort") ?? 443;
const [endpointHost, endpointPort] = (config.get("endpoint") ?? `${hostName}:${bindingPort}`).split(":");

const site = new CertificateDeployment("www", {
  certificate: fs.readFileSync(config.require("certificateFile"), "utf8"),
  privateKey: config.requireSecret("privateKey"),
  pool: fs.readFileSync(config.require("poolFile"), "utf8"),
  clientProfiles: config.getObject<ProfileInput[]>("clientProfiles") ?? ["mozilla"],
  requiredProfiles: config.getObject<string[]>("requiredProfiles"),
  targets: [
    {
      kind: "iis",
      name: "win1",
      connection: {
        host: config.require("host"),
        port: config.getNumber("sshPort") ?? 22,
        user: config.get("user") ?? "administrator",
        hostKeyFingerprints: [config.require("hostKeyFingerprint")],
      },
      sshPrivateKey: config.requireSecret("sshPrivateKey"),
      binding: { site: config.get("site") ?? "Default Web Site", port: bindingPort, host: hostName },
      endpoint: { host: endpointHost, port: Number(endpointPort), servername: hostName },
      programRootsFile: config.get("programRootsFile"),
      removeOldLeaf: config.getBoolean("removeOldLeaf"),
      allowIisreset: config.getBoolean("allowIisreset"),
      allowHttpServiceRestart: config.getBoolean("allowHttpServiceRestart"),
    },
  ],
});

export const chain = site.chain.apply((c) => c.map((x) => x.label));
export const compatibility = site.compatibility;
export const servedChains = site.servedChains.apply((r) => r.map((e) => ({ endpoint: e.endpoint, chain: e.chain.map((c) => c.label), error: e.error })));
export const targetStatus = site.targetStatus;
export const drift = site.drift;
export const report = site.report;
