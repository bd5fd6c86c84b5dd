// IIS on an Azure Windows VM, reached through VM Run Command instead of SSH: the same agent
// arranges the stores so that Windows builds the chosen chain, imports the PFX (sent only
// in protectedParameters) and binds it; the endpoint is then verified from the wire.
// Run Command has no read on preview: set a new runToken (e.g. today's date) to read the VM
// again; the served-chain check still probes the endpoint on every preview. Each Run Command's
// output is cut to its last 4,096 bytes by Azure: the agent's answers are built to fit.
//
//   pulumi config set azure-native:location westeurope
//   pulumi config set resourceGroupName rg-web
//   pulumi config set vmName win-web-1
//   pulumi config set certificateFile ./cert.pem
//   pulumi config set poolFile ./ca-bundle.pem
//   pulumi config set --secret privateKey -- "$(cat privkey.pem)"
//   pulumi config set hostName www.example.net
//   pulumi up
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { CertificateDeployment, type ProfileInput } from "chainsmith";

const config = new pulumi.Config();
const hostName = config.require("hostName");

const site = new CertificateDeployment("www", {
  // Files here; an Output of another resource (an ACME or pulumi-tls certificate) works too.
  certificate: fs.readFileSync(config.require("certificateFile"), "utf8"),
  privateKey: config.requireSecret("privateKey"),
  pool: fs.readFileSync(config.require("poolFile"), "utf8"),
  clientProfiles: config.getObject<ProfileInput[]>("clientProfiles") ?? ["mozilla"],
  targets: [
    {
      kind: "azureVm",
      name: "vm1",
      resourceGroupName: config.require("resourceGroupName"),
      vmName: config.require("vmName"),
      location: new pulumi.Config("azure-native").require("location"),
      binding: { site: config.get("site") ?? "Default Web Site", port: 443, host: hostName },
      runToken: config.get("runToken"),
      endpoints: [{ host: config.get("endpointHost") ?? hostName, port: 443, servername: hostName }],
    },
  ],
});

export const chain = site.chain.apply((c) => c.map((x) => x.label));
export const targetStatus = site.targetStatus;
export const compatibility = site.compatibility;
export const report = site.report;
