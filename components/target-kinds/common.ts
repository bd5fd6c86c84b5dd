// What every kind of target shares: its name and endpoints, what it needs from the
// component (the chain and the key), and the status it reports.
import * as pulumi from "@pulumi/pulumi";
import type { Endpoint } from "../../probe/endpoint";
import type { InputsOf } from "../../providers/deep-input";

/** A TLS endpoint; each field may come from another resource (`host: vm.publicIp`). */
export type EndpointArgs = InputsOf<Endpoint>;

export interface TargetBase {
  /** Short name, unique in the deployment: names the child resource and the target in every output. A plain value: it shapes the resource graph. */
  name: string;
  /** Earlier names of this target: renaming it then touches nothing on the host (Pulumi aliases of the child resource). */
  previousNames?: string[];
  /** TLS endpoints this target serves: probed after the deployment and by the verification. */
  endpoints?: EndpointArgs[];
}

/** What a target deployment needs from the component. */
export interface TargetMaterial {
  /** The chosen chain, PEM, leaf first, anchor left out. */
  chain: pulumi.Output<string>;
  /** The pool (PEM): Windows targets distrust the self-signed twins of its cross-signs. */
  pool: pulumi.Input<string | undefined>;
  /** The leaf's key, unencrypted PKCS#8 PEM, secret. */
  privateKey: pulumi.Output<string>;
  /** How long targets wait for their endpoints to serve the new chain. */
  verifyTimeoutMs?: pulumi.Input<number>;
}

export interface TargetStatus {
  name: string;
  kind: string;
  /** "local", "user@host:port", the VM or the web app. */
  target: string;
  /** Why the target differs from the deployment (filled by refresh). */
  drift: string[];
  /** What was deployed, in words: files and hashes, or what Windows builds. */
  detail: string[];
}

export interface DeployedTarget {
  resource: pulumi.Resource;
  status: pulumi.Output<TargetStatus>;
}

export function statusOf(target: TargetBase & { kind: string }, where: pulumi.Input<string>, drift: pulumi.Input<string[]>, detail: pulumi.Input<string[]>): pulumi.Output<TargetStatus> {
  return pulumi.all([where, drift, detail]).apply(([w, d, x]) => ({ name: target.name, kind: target.kind, target: w, drift: d, detail: x }));
}
