// The README's program as a user runs it from an empty folder with chainsmith installed from
// its npm tarball, with two things pipelines do: the certificate comes from another resource
// (here a stand-in for pulumi-tls or an ACME provider, whose outputs are unknown at the first
// preview), and so does the host. Config: see test/e2e/quickstart.test.ts.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { CertificateDeployment } from "chainsmith";

const config = new pulumi.Config();

/** Issues nothing: reads a certificate file and names the host, as an issuing resource would output them. */
class IssuedCertificate extends pulumi.dynamic.Resource {
  declare readonly certificate: pulumi.Output<string>;
  declare readonly host: pulumi.Output<string>;
  constructor(name: string, args: { certificateFile: string; host: string }) {
    const provider: pulumi.dynamic.ResourceProvider = {
      create: async (inputs) => ({ id: "issued", outs: { ...inputs, certificate: require("fs").readFileSync(inputs.certificateFile, "utf8") } }),
    };
    super(provider, name, { ...args, certificate: undefined }, {});
  }
}

const issued = new IssuedCertificate("issuer", { certificateFile: config.require("certificateFile"), host: config.require("host") });

const site = new CertificateDeployment("www", {
  certificate: issued.certificate,
  privateKey: config.requireSecret("privateKey"),
  pool: fs.readFileSync(config.require("poolFile"), "utf8"),
  clientProfiles: config.requireObject<string[]>("clientProfiles"),
  targets: [
    {
      kind: "linux",
      name: config.require("targetName"),
      previousNames: config.getObject<string[]>("previousNames"),
      connection: { host: issued.host, port: config.requireNumber("sshPort"), user: config.require("user"), hostKeyFingerprints: [config.require("hostKeyFingerprint")] },
      sshPrivateKey: config.requireSecret("sshPrivateKey"),
      directory: config.require("directory"),
      reloadCommand: config.require("reloadCommand"),
      configTestCommand: config.require("configTestCommand"),
      endpoints: [{ host: issued.host, port: config.requireNumber("port") }],
    },
  ],
});

export const servedChains = site.servedChains.apply((r) => r.map((e) => e.chain.map((c) => c.label)));
export const drift = site.drift;
