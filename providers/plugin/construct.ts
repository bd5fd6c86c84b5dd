// Construct: the provider builds a CertificateDeployment inside its own process for a program
// in any language (the remote component of the generated SDKs). It is the same class as the
// in-process one: its children are this provider's resources, registered with the engine from
// here (no dynamic providers). The state returned is the component's outputs, as the schema names them.
import type * as pulumi from "@pulumi/pulumi";
import type { ConstructResult } from "@pulumi/pulumi/provider";
import { CertificateDeployment } from "../../components/certificate-deployment";
import { componentResources, DEPLOYMENT_TOKEN } from "./component-schema";
import { deploymentArgs } from "./deployment-args";

export const DEPLOYMENT_OUTPUTS = Object.keys(componentResources[DEPLOYMENT_TOKEN].properties) as (keyof CertificateDeployment)[];

export async function construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<ConstructResult> {
  if (type !== DEPLOYMENT_TOKEN) throw new Error(`chainsmith: unknown component type ${type} (this chainsmith provider builds ${DEPLOYMENT_TOKEN})`);
  const deployment = new CertificateDeployment(name, await deploymentArgs(inputs), options);
  return { urn: deployment.urn, state: Object.fromEntries(DEPLOYMENT_OUTPUTS.map((output) => [output, deployment[output]])) };
}
