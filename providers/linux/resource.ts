// TLS files on one Linux host, as a resource of the chainsmith provider plugin
// (chainsmith:linux:TlsFiles; its methods: methods.ts).
import * as pulumi from "@pulumi/pulumi";
import type { InputsOf } from "../deep-input";
import type { LinuxFilesInputs } from "./methods";
import { secretInputs } from "../secret-inputs";

export type { LinuxFilesInputs, LinuxFilesState, ConnectionInputs, JumpHostInputs } from "./methods";

/**
 * TLS files deployed to one Linux host: written atomically, config-tested, reloaded, and
 * checked on the wire; `pulumi preview` reports drift (changed files, wrong served chain).
 * The TLS key and passphrases never appear in outputs; the SSH login key stays in the state
 * as a secret (read and delete log in with it).
 *
 *   new LinuxTlsFiles("web1-tls", {
 *     connection: { host: vm.publicIp, user: "deploy", sudo: true, hostKeyFingerprints: ["SHA256:..."] },
 *     sshPrivateKey: config.requireSecret("sshKey"),
 *     preset: "nginx",                       // or apache, apache-legacy, haproxy, lighttpd, postfix, dovecot, custom
 *     chain: chosenChainPem,                 // leaf first, anchor left out
 *     privateKey: config.requireSecret("tlsKey"),
 *     endpoints: [{ host: vm.publicIp, port: 443, servername: "shop.example.com" }],
 *     onDelete: "restore",                   // default: `pulumi destroy` puts back the files found before the
 *   });                                      // first deployment; "keep" leaves the deployed files in place
 *
 * `connection: { kind: "local" }` deploys to the machine running Pulumi.
 */
export class LinuxTlsFiles extends pulumi.CustomResource {
  declare readonly target: pulumi.Output<string>;
  /** The files written, with their SHA-256 and mode. */
  declare readonly deployedFiles: pulumi.Output<{ path: string; role: string; sha256: string; mode: number }[]>;
  declare readonly servedChain: pulumi.Output<{ sha256: string; label: string }[]>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: InputsOf<LinuxFilesInputs>, opts?: pulumi.CustomResourceOptions) {
    const secrets = secretInputs(args, ["privateKey", "keyPassphrase", "pfxPassword", "sshPrivateKey", "sshPassphrase"]);
    super("chainsmith:linux:TlsFiles", name, { ...args, ...secrets, target: undefined, deployedFiles: undefined, servedChain: undefined, drift: undefined }, opts);
  }
}
