// The Pulumi dynamic provider for TLS files on a Linux host (over SSH, or the local machine);
// its methods run the compiled providers/linux/provider-methods (see compiled-provider.ts).
import * as pulumi from "@pulumi/pulumi";
import { compiledModule, compiledProvider } from "./compiled-provider";
import type { LinuxFilesInputs } from "./linux/provider-methods";

export type { LinuxFilesInputs, LinuxFilesState, ConnectionInputs, JumpHostInputs } from "./linux/provider-methods";

const implementation = compiledModule("linux/provider-methods");

export const linuxFilesProvider = compiledProvider(implementation);

/** The path of the module the provider's methods load (for tests and diagnostics). */
export const linuxFilesImplementation = implementation;

type Inputs = { [K in keyof LinuxFilesInputs]: pulumi.Input<LinuxFilesInputs[K]> };

/**
 * TLS files deployed to one Linux host: written atomically, config-tested, reloaded, and
 * checked on the wire; `pulumi preview` reports drift (changed files, wrong served chain).
 * The TLS key and passphrases never appear in outputs; the SSH login key is kept (read and
 * delete need it) as a secret output.
 *
 *   new LinuxTlsFiles("web1-tls", {
 *     connection: { host: "10.0.0.5", user: "deploy", sudo: true, hostKeyFingerprints: ["SHA256:..."] },
 *     sshPrivateKey: config.requireSecret("sshKey"),
 *     preset: "nginx",                       // or apache, apache-legacy, haproxy, lighttpd, postfix, dovecot, custom
 *     chain: chosenChainPem,                 // leaf first, anchor left out
 *     privateKey: config.requireSecret("tlsKey"),
 *     endpoints: [{ host: "10.0.0.5", port: 443, servername: "shop.example.com" }],
 *     onDelete: "restore",                   // default: `pulumi destroy` puts back the files found before the
 *   });                                      // first deployment; "keep" leaves the deployed files in place
 *
 * `connection: { kind: "local" }` deploys to the machine running Pulumi.
 */
export class LinuxTlsFiles extends pulumi.dynamic.Resource {
  declare readonly target: pulumi.Output<string>;
  /** The files written, with their SHA-256 and mode. */
  declare readonly deployedFiles: pulumi.Output<{ path: string; role: string; sha256: string; mode: number }[]>;
  declare readonly servedChain: pulumi.Output<{ sha256: string; label: string }[]>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: Inputs, opts?: pulumi.CustomResourceOptions) {
    const secret = <T>(value: pulumi.Input<T> | undefined) => (value === undefined ? undefined : pulumi.secret(value));
    super(
      linuxFilesProvider,
      name,
      {
        ...args,
        privateKey: secret(args.privateKey),
        keyPassphrase: secret(args.keyPassphrase),
        pfxPassword: secret(args.pfxPassword),
        sshPrivateKey: secret(args.sshPrivateKey),
        sshPassphrase: secret(args.sshPassphrase),
        target: undefined,
        deployedFiles: undefined,
        servedChain: undefined,
        drift: undefined,
      },
      { ...opts, additionalSecretOutputs: ["sshPrivateKey", "sshPassphrase", ...(opts?.additionalSecretOutputs ?? [])] },
    );
  }
}
