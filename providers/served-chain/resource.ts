// The served-chain check, as a resource of the chainsmith provider plugin
// (chainsmith:index:ServedChainCheck; its methods: methods.ts).
import * as pulumi from "@pulumi/pulumi";
import type { InputsOf } from "../deep-input";
import type { ServedChainCheckInputs } from "./methods";
import type { EndpointReport } from "./inspect";

export type { ServedChainCheckInputs, ServedChainCheckState } from "./methods";
export type { EndpointReport, ProfileInput, ProfileResult, ServedCertificate } from "./inspect";

/**
 * Proof from the wire that clients receive the desired chain: each endpoint is probed and
 * judged against the desired chain and the client profiles. A mismatch fails the
 * deployment; on every `pulumi preview` the endpoints are probed again (drift).
 */
export class ServedChainCheck extends pulumi.CustomResource {
  /** What each endpoint serves, and what each client profile makes of it. */
  declare readonly served: pulumi.Output<EndpointReport[]>;
  /** Filled by refresh: why the endpoints no longer pass. */
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: InputsOf<ServedChainCheckInputs>, opts?: pulumi.CustomResourceOptions) {
    super("chainsmith:index:ServedChainCheck", name, { ...args, served: undefined, drift: undefined }, opts);
  }
}
