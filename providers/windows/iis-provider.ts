// The Pulumi dynamic provider for one certificate on a Windows IIS host (over SSH); its
// methods run the compiled providers/windows/iis-provider-methods (see compiled-provider.ts).
import * as pulumi from "@pulumi/pulumi";
import { compiledModule, compiledProvider } from "../compiled-provider";
import type { IisTargetInputs } from "./iis-provider-methods";

export type { IisTargetInputs, IisTargetState, WindowsConnectionInputs } from "./iis-provider-methods";

const implementation = compiledModule("windows/iis-provider-methods");

export const iisTargetProvider = compiledProvider(implementation);

/** The path of the module the provider's methods load (for tests and diagnostics). */
export const iisTargetImplementation = implementation;

type Inputs = { [K in keyof IisTargetInputs]: pulumi.Input<IisTargetInputs[K]> };

/**
 * One certificate deployed to a Windows IIS host: stores arranged so that Windows builds
 * the desired chain (cross-signs in CA, self-signed twins in Disallowed, stale same-key
 * intermediates out), the leaf imported and bound, and the served chain checked on the wire.
 * `pulumi preview` reports drift in words; `pulumi up` repairs it. The TLS key is stored as
 * a secret and never returned; the SSH key is a secret output.
 */
export class IisCertificate extends pulumi.dynamic.Resource {
  declare readonly target: pulumi.Output<string>;
  declare readonly computerName: pulumi.Output<string>;
  declare readonly servedChain: pulumi.Output<{ sha256: string; label: string }[]>;
  declare readonly preview: pulumi.Output<string>;
  declare readonly rungs: pulumi.Output<{ rung: string; windowsBuilds: string[]; served: string[]; matches: boolean }[]>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: Inputs, opts?: pulumi.CustomResourceOptions) {
    const secret = <T>(value: pulumi.Input<T> | undefined) => (value === undefined ? undefined : pulumi.secret(value));
    super(
      iisTargetProvider,
      name,
      {
        ...args,
        privateKey: secret(args.privateKey),
        keyPassphrase: secret(args.keyPassphrase),
        sshPrivateKey: secret(args.sshPrivateKey),
        sshPassphrase: secret(args.sshPassphrase),
        target: undefined,
        computerName: undefined,
        servedChain: undefined,
        preview: undefined,
        rungs: undefined,
        drift: undefined,
      },
      { ...opts, additionalSecretOutputs: ["sshPrivateKey", "sshPassphrase", ...(opts?.additionalSecretOutputs ?? [])] },
    );
  }
}
