// An `appService` target: an Azure App Service custom domain (SNI).
import * as pulumi from "@pulumi/pulumi";
import { loadAzureComponent } from "./azure-module";
import { statusOf, type DeployedTarget, type TargetBase, type TargetMaterial } from "./common";

type AppServiceModule = typeof import("../azure/app-service-certificate");

/** App Service sends only the leaf and its issuer: a cross-sign cannot reach clients there. */
export interface AppServiceTargetArgs extends TargetBase {
  kind: "appService";
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** The web app (site) name. */
  webAppName: pulumi.Input<string>;
  /** The App Service plan the certificate belongs to. */
  serverFarmId?: pulumi.Input<string>;
  /** The custom host name to bind. */
  hostName: pulumi.Input<string>;
}

export function deployAppService(resourceName: string, target: AppServiceTargetArgs, material: TargetMaterial, opts: pulumi.CustomResourceOptions): DeployedTarget {
  const { AppServiceCertificate } = loadAzureComponent(target, () => require("../azure/app-service-certificate") as AppServiceModule);
  const app = new AppServiceCertificate(
    resourceName,
    {
      resourceGroupName: target.resourceGroupName,
      location: target.location,
      webAppName: target.webAppName,
      serverFarmId: target.serverFarmId,
      hostName: target.hostName,
      chain: material.chain,
      privateKey: material.privateKey,
    },
    opts,
  );
  const detail = pulumi.all([app.expectedServed, app.warning]).apply(([served, warning]) => [`App Service sends ${served.join(" > ")}`, ...(warning ? [warning] : [])]);
  return { resource: app, status: statusOf(target, target.webAppName, [], detail) };
}
