// One certificate on a Windows IIS host over SSH, as a resource of the chainsmith provider
// plugin (chainsmith:windows:IisCertificate; its methods: methods.ts).
import * as pulumi from "@pulumi/pulumi";
import type { InputsOf } from "../deep-input";
import { secretInputs } from "../secret-inputs";
import type { IisTargetInputs } from "./methods";

export type { IisTargetInputs, IisTargetState, WindowsConnectionInputs } from "./methods";

/**
 * One certificate deployed to a Windows IIS host: stores arranged so that Windows builds
 * the desired chain (cross-signs in CA, self-signed twins in Disallowed, stale same-key
 * intermediates out), the leaf imported and bound, and the served chain checked on the wire.
 * `pulumi preview` reports drift in words; `pulumi up` repairs it. The TLS key is stored as
 * a secret and never returned; the SSH key stays in the state as a secret.
 */
export class IisCertificate extends pulumi.CustomResource {
  declare readonly target: pulumi.Output<string>;
  declare readonly computerName: pulumi.Output<string>;
  declare readonly servedChain: pulumi.Output<{ sha256: string; label: string }[]>;
  declare readonly preview: pulumi.Output<string>;
  declare readonly rungs: pulumi.Output<{ rung: string; windowsBuilds: string[]; served: string[]; matches: boolean }[]>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: InputsOf<IisTargetInputs>, opts?: pulumi.CustomResourceOptions) {
    const secrets = secretInputs(args, ["privateKey", "keyPassphrase", "sshPrivateKey", "sshPassphrase"]);
    super(
      "chainsmith:windows:IisCertificate",
      name,
      { ...args, ...secrets, target: undefined, computerName: undefined, servedChain: undefined, preview: undefined, rungs: undefined, drift: undefined },
      opts,
    );
  }
}
