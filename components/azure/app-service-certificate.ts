/**
 * A certificate on Azure App Service: a legacy 3DES PFX (App Service rejects AES ones) in
 * web.Certificate, bound by SNI with web.WebAppHostNameBinding.
 *
 * App Service is reported to send only the leaf and its issuer, whatever the PFX holds: a
 * cross-signed certificate further up cannot be made to reach clients. This component
 * says so up front (`warning`) and `appServiceVerdict` judges what the endpoint actually
 * served, read from the wire, instead of promising the desired chain.
 */
import * as pulumi from "@pulumi/pulumi";
import * as azure from "@pulumi/azure-native";
import { Certificate } from "../../chain/certificate";
import { ChainsmithInputError } from "../../chain/errors";
import { assertKeyMatchesLeaf, parsePrivateKey } from "../../chain/key";
import { parseCertificates } from "../../chain/parse";
import { pfxPayload } from "../../providers/windows/pfx-payload";

export interface AppServiceCertificateArgs {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** The web app (site) name. */
  webAppName: pulumi.Input<string>;
  /** The App Service plan the certificate belongs to. */
  serverFarmId?: pulumi.Input<string>;
  /** The custom host name to bind (SNI). */
  hostName: pulumi.Input<string>;
  /** PEM chain, leaf first, no root; may come from another resource. */
  chain: pulumi.Input<string>;
  /** The leaf's private key (made a secret here). */
  privateKey: pulumi.Input<string>;
}

export class AppServiceCertificate extends pulumi.ComponentResource {
  readonly certificate: azure.web.Certificate;
  readonly binding: azure.web.WebAppHostNameBinding;
  /** What App Service is expected to send: the leaf and its issuer (labels). */
  readonly expectedServed: pulumi.Output<string[]>;
  /** Set when the desired chain is longer than App Service will send. */
  readonly warning: pulumi.Output<string | undefined>;

  constructor(name: string, args: AppServiceCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chainsmith:windows:AppServiceCertificate", name, {}, opts);
    // PEM travels in the Outputs, parsed where needed: the chain may be unknown until other resources exist.
    const chain = pulumi.output(args.chain);
    this.expectedServed = chain.apply((pem) => desiredChainOf(pem).slice(0, 2).map((c) => c.label));
    this.warning = chain.apply((pem) => (desiredChainOf(pem).length > 2 ? shortChainWarning(desiredChainOf(pem)) : undefined));

    // Named by the target, not the leaf: the chain may be unknown at preview. The PFX is the same
    // for the same chain and key, so only a new leaf or key changes pfxBlob (and replaces the certificate).
    const pfx = pulumi.secret(pulumi.all([chain, args.privateKey]).apply(([pem, keyPem]) => fullChainPfx(desiredChainOf(pem), keyPem)));
    this.certificate = new azure.web.Certificate(
      `${name}-certificate`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        serverFarmId: args.serverFarmId,
        hostNames: [args.hostName],
        pfxBlob: pfx.apply((p) => p.base64),
        password: pfx.apply((p) => p.password),
      },
      { parent: this },
    );
    this.binding = new azure.web.WebAppHostNameBinding(
      `${name}-binding`,
      {
        resourceGroupName: args.resourceGroupName,
        name: args.webAppName,
        hostName: args.hostName,
        sslState: azure.types.enums.web.SslState.SniEnabled,
        thumbprint: this.certificate.thumbprint,
      },
      { parent: this },
    );
    this.registerOutputs({ expectedServed: this.expectedServed, warning: this.warning, thumbprint: this.certificate.thumbprint });
  }
}

function desiredChainOf(pem: string): Certificate[] {
  const desired = parseCertificates(pem, "chain");
  if (!desired[0]) throw new ChainsmithInputError("empty-chain", "chain is empty: give at least the leaf.");
  return desired;
}

/** Judges what an App Service endpoint served (wire order) against the desired chain. */
export function appServiceVerdict(desired: readonly Certificate[], served: readonly Certificate[]): { matches: boolean; message: string } {
  const ids = (cs: readonly Certificate[]) => cs.map((c) => c.sha256).join();
  if (ids(served) === ids(desired)) return { matches: true, message: `App Service serves the desired chain: ${served.map((c) => c.label).join(" > ")}` };
  if (desired.length > 2 && ids(served) === ids(desired.slice(0, 2))) return { matches: false, message: shortChainWarning(desired) };
  return { matches: false, message: `App Service serves ${served.map((c) => c.label).join(" > ") || "nothing"} instead of ${desired.map((c) => c.label).join(" > ")}.` };
}

function shortChainWarning(desired: readonly Certificate[]): string {
  return (
    `App Service sends only the leaf and its issuer (${desired.slice(0, 2).map((c) => c.label).join(" > ")}); ` +
    `${desired.slice(2).map((c) => c.label).join(", ")} will not be sent, so clients that need it fail. ` +
    `Serve this chain from a VM (IIS or Linux) or behind Application Gateway/Front Door instead.`
  );
}

/** The whole desired chain (App Service keeps only what it wants of it) as a legacy 3DES PFX, the same for the same chain and key. */
function fullChainPfx(desired: Certificate[], keyPem: string): { base64: string; password: string } {
  const key = parsePrivateKey(keyPem, "privateKey");
  assertKeyMatchesLeaf(key, desired[0]);
  return pfxPayload(desired, key, "legacy");
}
