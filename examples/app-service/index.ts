// An Azure App Service custom domain. App Service sends only the leaf and its issuer,
// whatever the PFX holds: a cross-signed certificate above the intermediate cannot reach
// clients there. chainsmith says so in the target status, and the verification judges what
// the endpoint really serves (here only the modern clients are required to trust it).
//
//   pulumi config set azure-native:location westeurope
//   pulumi config set resourceGroupName rg-web
//   pulumi config set webAppName web-prod
//   pulumi config set serverFarmId /subscriptions/.../serverfarms/plan-prod
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
  certificate: fs.readFileSync(config.require("certificateFile"), "utf8"),
  privateKey: config.requireSecret("privateKey"),
  pool: fs.readFileSync(config.require("poolFile"), "utf8"),
  // App Service cannot send a cross-sign: the shortest chain is what reaches clients.
  policy: "shortest",
  clientProfiles: config.getObject<ProfileInput[]>("clientProfiles") ?? ["mozilla"],
  targets: [
    {
      kind: "appService",
      name: "app",
      resourceGroupName: config.require("resourceGroupName"),
      location: new pulumi.Config("azure-native").require("location"),
      webAppName: config.require("webAppName"),
      serverFarmId: config.get("serverFarmId"),
      hostName,
      endpoints: [{ host: hostName, port: 443 }],
    },
  ],
});

export const chain = site.chain.apply((c) => c.map((x) => x.label));
export const targetStatus = site.targetStatus;
export const compatibility = site.compatibility;
