// The served-chain check as a Pulumi dynamic resource: create/update probe each endpoint and
// judge what it serves (failing `pulumi up` with the cause and the fix), diff probes again on
// every preview and reports drift in words, read returns the live served chains on refresh.
// Its methods run the compiled providers/served-chain/provider-methods (see compiled-provider.ts).
import * as pulumi from "@pulumi/pulumi";
import { compiledModule, compiledProvider } from "./compiled-provider";
import type { ServedChainCheckInputs } from "./served-chain/provider-methods";
import type { EndpointReport } from "./served-chain/inspect";

export type { ServedChainCheckInputs, ServedChainCheckState } from "./served-chain/provider-methods";
export type { EndpointReport, ProfileInput, ProfileResult, ServedCertificate } from "./served-chain/inspect";

export const servedChainCheckProvider = compiledProvider(compiledModule("served-chain/provider-methods"));

type Inputs = { [K in keyof ServedChainCheckInputs]: pulumi.Input<ServedChainCheckInputs[K]> };

/**
 * Proof from the wire that clients receive the desired chain: each endpoint is probed and
 * judged against the desired chain and the client profiles. A mismatch fails the
 * deployment; on every `pulumi preview` the endpoints are probed again (drift).
 */
export class ServedChainCheck extends pulumi.dynamic.Resource {
  /** What each endpoint serves, and what each client profile makes of it. */
  declare readonly served: pulumi.Output<EndpointReport[]>;
  /** Filled by refresh: why the endpoints no longer pass. */
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: Inputs, opts?: pulumi.CustomResourceOptions) {
    super(servedChainCheckProvider, name, { ...args, served: undefined, drift: undefined }, opts);
  }
}
