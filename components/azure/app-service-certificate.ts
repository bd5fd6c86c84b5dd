/**
 * A certificate on Azure App Service: a legacy 3DES PFX (App Service rejects AES ones) in
 * web.Certificate, bound by SNI with web.WebAppHostNameBinding.
 *
 * App Service is reported to send only the leaf and its issuer, whatever the PFX holds: a
 * cross-signed certificate further up cannot be made to reach clients. This component
 * says so up front (`warning`) and `appServiceVerdict` judges what the endpoint actually
 * served, read from the wire, instead of promising the desired chain.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as azure from "@pulumi/azure-native";
import { Certificate } from "../../chain/certificate";
import { ChainsmithInputError } from "../../chain/errors";
import { assertKeyMatchesLeaf, parsePrivateKey } from "../../chain/key";
import { parseCertificates } from "../../chain/parse";
import { writePfx } from "../../chain/pfx-write";

export interface AppServiceCertificateArgs {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** The web app (site) name. */
  webAppName: pulumi.Input<string>;
  /** The App Service plan the certificate belongs to. */
  serverFarmId?: pulumi.Input<string>;
  /** The custom host name to bind (SNI). */
  hostName: pulumi.Input<string>;
  /** PEM chain, leaf first, no root (plain: it names the certificate resource). */
  chain: string;
  /** The leaf's private key (made a secret here). */
  privateKey: pulumi.Input<string>;
}

export class AppServiceCertificate extends pulumi.ComponentResource {
  readonly certificate: azure.web.Certificate;
  readonly binding: azure.web.WebAppHostNameBinding;
  /** What App Service is expected to send: the leaf and its issuer (labels). */
  readonly expectedServed: string[];
  /** Set when the desired chain is longer than App Service will send. */
  readonly warning: string | undefined;

  constructor(name: string, args: AppServiceCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chainsmith:windows:AppServiceCertificate", name, {}, opts);
    const desired = parseCertificates(args.chain, "chain");
    const leaf = desired[0];
    if (!leaf) throw new ChainsmithInputError("empty-chain", "chain is empty: give at least the leaf.");
    this.expectedServed = desired.slice(0, 2).map((c) => c.label);
    this.warning = desired.length > 2 ? shortChainWarning(desired) : undefined;

    // One certificate resource per leaf; a freshly encrypted PFX of the same leaf is no change.
    const pfx = pulumi.secret(pulumi.output(args.privateKey).apply((pem) => fullChainPfx(desired, pem)));
    this.certificate = new azure.web.Certificate(
      `${name}-${leaf.sha1.slice(0, 12).toLowerCase()}`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        serverFarmId: args.serverFarmId,
        hostNames: [args.hostName],
        pfxBlob: pfx.apply((p) => p.base64),
        password: pfx.apply((p) => p.password),
      },
      { parent: this, ignoreChanges: ["pfxBlob", "password"] },
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

/** The whole desired chain (App Service keeps only what it wants of it) as a legacy 3DES PFX. */
function fullChainPfx(desired: Certificate[], keyPem: string): { base64: string; password: string } {
  const key = parsePrivateKey(keyPem, "privateKey");
  assertKeyMatchesLeaf(key, desired[0]);
  const password = crypto.randomBytes(24).toString("base64url");
  return { base64: writePfx(desired, key, password, { profile: "legacy", friendlyName: desired[0].commonName }).toString("base64"), password };
}
