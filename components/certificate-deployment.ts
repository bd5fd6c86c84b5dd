// The user-facing component: one certificate deployment. It chooses the chain in the program
// (chain/policy.ts), deploys it to every target through the providers, and proves from the
// wire what clients receive (providers/served-chain/). It only wires: the logic lives
// in chain/, probe/ and providers/.
import * as pulumi from "@pulumi/pulumi";
import { judgeServed } from "../chain/judge";
import { parseCertificates } from "../chain/parse";
import { choosePath, type ChainChoice } from "../chain/policy";
import { renderExplanation, renderExplanationMarkdown } from "../chain/explain";
import { parsePrivateKey } from "../chain/key";
import { ChainsmithInputError } from "../chain/errors";
import type { InputsOf } from "../providers/deep-input";
import { ServedChainCheck, type EndpointReport, type ProfileInput } from "../providers/served-chain/resource";
import { loadProfiles } from "../providers/served-chain/inspect";
import { assertOneSource, readMaterial, validityTime, type MaterialValues } from "./certificate-material";
import { earlierIdentities } from "./earlier-identities";
import { describeWaves, roll, type Rollout, type Wave } from "./rollout";
import { deployTarget, endpointsOf, type DeployedTarget, type EndpointArgs, type TargetArgs, type TargetMaterial, type TargetStatus } from "./targets";
import { endpointLabel, type Endpoint } from "../probe/endpoint";

export type { TargetStatus } from "./targets";
export type { Rollout } from "./rollout";

/**
 * Every argument may come from another resource (an Output), nested ones too, except the
 * shape of the resource graph: the list of targets with their kind and name, the lists of
 * endpoints, and the rollout, which are plain values.
 */
export interface CertificateDeploymentArgs {
  /** The server certificate (leaf), PEM. Certificates after the first join the pool. Give this with privateKey, or pfx. */
  certificate?: pulumi.Input<string>;
  /** The leaf's private key, PEM (PKCS#8, PKCS#1, SEC1 or encrypted PKCS#8). Stored as a secret, never shown. */
  privateKey?: pulumi.Input<string>;
  /** Passphrase of an encrypted privateKey (secret). */
  keyPassphrase?: pulumi.Input<string>;
  /** A PKCS#12 (PFX) file, base64: the leaf with its key, maybe intermediates. Instead of certificate and privateKey. */
  pfx?: pulumi.Input<string>;
  /** Password of the pfx (secret). */
  pfxPassword?: pulumi.Input<string>;
  /** Candidate intermediates and cross-signs, PEM, any order: the policy chooses among every valid path through them. */
  pool?: pulumi.Input<string>;
  /** widest (default: most client profiles, then the oldest anchor, then shortest), shortest, anchor=<root subject or SHA-256>, issuer=<CN>. */
  policy?: pulumi.Input<string>;
  /** The clients that matter: "mozilla", "system", "frozen:YYYY-MM-DD", "name=FILE", or { name, roots: PEM }. Default ["mozilla"]. */
  clientProfiles?: InputsOf<{ list: ProfileInput[] }>["list"];
  /** Names of the client profiles that must trust the served chain; default: all of clientProfiles. */
  requiredProfiles?: pulumi.Input<pulumi.Input<string>[]>;
  /** Where the chain goes: `local` (this machine), `linux` (over SSH), `iis` (over SSH), `azureVm` (Run Command), `appService`. */
  targets: TargetArgs[];
  /** More endpoints to verify, beside each target's own. */
  endpoints?: EndpointArgs[];
  /**
   * parallel (default), sequential, canary (the first target, verified, before the rest), or
   * { waves: 10 } / { waves: "25%" }: the first target, then waves of that many targets or that
   * share of all targets, each verified before the next starts. A failed wave stops the rollout.
   */
  rollout?: Rollout;
  /** What fails the deployment (and counts as drift). Both default to true. */
  failOn?: pulumi.Input<{
    /** An endpoint serves another chain than the chosen one. */
    servedChainDiffers?: pulumi.Input<boolean>;
    /** A required client profile does not trust what an endpoint serves. */
    requiredProfileUntrusted?: pulumi.Input<boolean>;
  }>;
  /** Probe the endpoints on every `pulumi preview` and refresh; default true. */
  driftChecks?: pulumi.Input<boolean>;
  /** How long each target and the verification wait for the endpoints to serve the right chain; default 10 000 ms (targets: 30 000). */
  verifyTimeoutMs?: pulumi.Input<number>;
}

/** One certificate of the chosen chain. */
export interface ChainCertificate {
  subject: string;
  sha256: string;
  label: string;
  pem: string;
}

export interface CompatibilityEntry {
  endpoint: string;
  profile: string;
  trusted: boolean;
  reason: string;
  /** The client behaviour that decided the verdict, when one did ("anchor-expiry-ignored", "first-path", ...). */
  decidedBy?: string;
}

export class CertificateDeployment extends pulumi.ComponentResource {
  /** The chosen chain, leaf first, anchor left out. */
  readonly chain: pulumi.Output<ChainCertificate[]>;
  /** The chosen chain as one PEM (what fullchain.pem holds). */
  readonly chainPem: pulumi.Output<string>;
  /** Every candidate path and why the chosen one won, as a plain-text table. */
  readonly explanation: pulumi.Output<string>;
  /** Markdown for pipeline pages: candidates, a Mermaid graph of the paths, the per-client table and the served chain's findings. */
  readonly report: pulumi.Output<string>;
  /** Per target: where, which files, drift. */
  readonly targetStatus: pulumi.Output<TargetStatus[]>;
  /** Per endpoint: the certificates clients receive, and what each profile makes of them. */
  readonly servedChains: pulumi.Output<EndpointReport[]>;
  /** Per endpoint and client profile: trusted or not, and why. */
  readonly compatibility: pulumi.Output<CompatibilityEntry[]>;
  /** Drift found by the last refresh, in words; empty when the targets serve what was deployed. */
  readonly drift: pulumi.Output<string[]>;

  /** The child resources, for resource options and dependencies: each target's by its name, and the served-chain checks. */
  readonly resources: { targets: Record<string, pulumi.Resource>; checks: ServedChainCheck[] };

  constructor(name: string, args: CertificateDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chainsmith:index:CertificateDeployment", name, {}, opts);
    assertOneSource(args);
    assertUniqueTargetNames(args.targets);
    const profiles = pulumi.output(args.clientProfiles ?? ["mozilla"]) as pulumi.Output<ProfileInput[]>;
    const choose = (values: MaterialValues, profileList: ProfileInput[], policy: string | undefined) => {
      const material = readMaterial(values);
      return { material, choice: choosePath(material.leaf, material.pool, { profiles: loadProfiles(profileList), policy, at: validityTime(material) }) };
    };
    // Plain inputs (files read by the program) are chosen when the program runs, so that a bad certificate fails at once.
    const plain = (v: unknown): v is string | undefined => v === undefined || typeof v === "string";
    const plainProfiles = (v: unknown): v is ProfileInput[] | undefined => v === undefined || (Array.isArray(v) && v.every((p) => typeof p === "string" || (plain(p?.name) && plain(p?.roots))));
    const now =
      plain(args.certificate) && plain(args.pool) && plain(args.policy) && plainProfiles(args.clientProfiles) && args.pfx === undefined
        ? choose({ certificate: args.certificate, pool: args.pool }, args.clientProfiles ?? ["mozilla"], args.policy)
        : undefined;
    const chosen = now
      ? pulumi.output(true).apply(() => now)
      : pulumi
          .all([args.certificate, args.pfx, args.pfxPassword, args.pool, profiles, args.policy])
          .apply(([certificate, pfx, pfxPassword, pool, profileList, policy]) => choose({ certificate, pfx, pfxPassword, pool }, profileList, policy));
    const choice = chosen.apply((c) => c.choice);
    // The chain is public even when it came out of a (secret) PFX.
    this.chain = pulumi.unsecret(choice.apply((c) => c.chain.map((x) => ({ subject: x.subject, sha256: x.sha256, label: x.label, pem: x.pem }))));
    this.chainPem = this.chain.apply((chain) => chain.map((c) => c.pem).join(""));
    this.explanation = pulumi.unsecret(choice.apply(renderExplanation));
    // Every target gets the key unencrypted (PKCS#8), as a secret: from privateKey (+ keyPassphrase) or from the PFX.
    // (pulumi.all would copy the KeyObject of a PFX into a plain object: chosen is applied on its own.)
    const privateKey = pulumi.secret(
      pulumi.all([args.privateKey, args.keyPassphrase]).apply(([pem, passphrase]) =>
        chosen.apply((c) => {
          const key = pem !== undefined ? parsePrivateKey(pem, "the private key", passphrase) : (c.material.key ?? missingKey());
          return key.export({ type: "pkcs8", format: "pem" }).toString();
        }),
      ),
    );

    // Resource options given to the deployment reach every child.
    const childOptions = (dependsOn: pulumi.Resource[]): pulumi.CustomResourceOptions => ({
      parent: this,
      dependsOn,
      protect: opts?.protect,
      retainOnDelete: opts?.retainOnDelete,
      ignoreChanges: opts?.ignoreChanges,
      customTimeouts: opts?.customTimeouts,
      deletedWith: opts?.deletedWith,
    });
    const failOn = pulumi.output(args.failOn ?? {});
    const check = (suffix: string, endpoints: EndpointArgs[], dependsOn: pulumi.Resource[]) =>
      new ServedChainCheck(
        `${name}-${suffix}`,
        {
          endpoints,
          desiredChain: this.chainPem,
          profiles,
          requiredProfiles: args.requiredProfiles,
          failOnDiffers: failOn.apply((f) => f.servedChainDiffers ?? true),
          failOnUntrusted: failOn.apply((f) => f.requiredProfileUntrusted ?? true),
          driftChecks: args.driftChecks ?? true,
          verifyTimeoutMs: args.verifyTimeoutMs,
        },
        { ...childOptions(dependsOn), aliases: earlierIdentities(`${name}-${suffix}`) },
      );
    const material: TargetMaterial = {
      chain: this.chainPem,
      pool: args.pool,
      privateKey,
      verifyTimeoutMs: args.verifyTimeoutMs,
    };

    const deployed = new Map<TargetArgs, DeployedTarget>();
    const rollout = args.rollout ?? "parallel";
    const { checks, waves } = roll(rollout, {
      targets: args.targets,
      nameOf: (target) => target.name,
      endpointsOf,
      extraEndpoints: args.endpoints ?? [],
      deploy: (target, dependsOn) => {
        const done = deployTarget(`${name}-${target.name}`, target, material, childOptions(dependsOn));
        deployed.set(target, done);
        return done.resource;
      },
      check,
    });
    if (rollout !== "parallel" && rollout !== "sequential") reportWaves(waves, this);
    if (checks.length === 0) {
      pulumi.log.warn("chainsmith: no endpoint to verify: nothing proves from the wire what clients receive, and preview shows no served-chain drift. Give each target its endpoints.", this);
    }
    if (!now && pulumi.runtime.isDryRun()) logWhatTheUpdateVerifies(args, this);
    const targets = args.targets.map((t) => deployed.get(t)!);
    this.resources = { targets: Object.fromEntries(args.targets.map((t, i) => [t.name, targets[i].resource])), checks };

    const served = pulumi.all(checks.map((c) => c.served)).apply((lists) => lists.flat());
    this.servedChains = served;
    this.compatibility = served.apply((reports) => reports.flatMap((r) => r.profiles.map((p) => ({ endpoint: r.endpoint, ...p }))));
    this.targetStatus = pulumi.all(targets.map((d) => d.status));
    this.drift = pulumi
      .all([this.targetStatus, pulumi.all(checks.map((c) => c.drift))])
      .apply(([status, checkDrift]) => [...status.flatMap((t) => t.drift.map((d) => `${t.name}: ${d}`)), ...checkDrift.flat()]);
    this.report = pulumi.unsecret(choice.apply((c) => pulumi.all([served, profiles]).apply(([reports, profileList]) => reportOf(c, reports, profileList))));

    this.registerOutputs({
      chain: this.chain,
      chainPem: this.chainPem,
      explanation: this.explanation,
      report: this.report,
      targetStatus: this.targetStatus,
      servedChains: this.servedChains,
      compatibility: this.compatibility,
      drift: this.drift,
    });
  }
}

/** What is done where: the plan of waves (on preview too), then during `pulumi up` each wave as its check passes. */
function reportWaves(waves: Wave<TargetArgs, ServedChainCheck>[], deployment: pulumi.Resource): void {
  const planned = waves.filter((w) => w.targets.length > 0);
  pulumi.log.info(`chainsmith rollout: ${describeWaves(planned.map((w) => w.targets), (t) => t.name)}`, deployment);
  if (pulumi.runtime.isDryRun()) return;
  planned.forEach((wave, i) =>
    wave.check?.id.apply(() => {
      const rest = planned.slice(i + 1).reduce((sum, w) => sum + w.targets.length, 0);
      pulumi.log.info(`chainsmith rollout: wave ${i + 1} of ${planned.length} deployed and verified (${targetCount(wave.targets.length)})${rest > 0 ? `; ${targetCount(rest)} in later waves` : "; all waves done"}`, deployment);
    }),
  );
}

const targetCount = (n: number) => `${n} target${n === 1 ? "" : "s"}`;

/**
 * A certificate given as an Output (a secret, or from other resources) may be known only during
 * the update, so preview cannot judge it: it says what the update will deploy and prove instead.
 */
function logWhatTheUpdateVerifies(args: CertificateDeploymentArgs, resource: pulumi.Resource): void {
  const endpoints = [...args.targets.flatMap(endpointsOf), ...(args.endpoints ?? [])];
  const labels = endpoints.map((e) => {
    const { host, port, servername, protocol } = e as Partial<Endpoint>;
    const plain = typeof host === "string" && typeof port === "number" && (servername === undefined || typeof servername === "string") && (protocol === undefined || typeof protocol === "string");
    return plain ? endpointLabel(host, port, servername, protocol) : "an endpoint known after other resources are deployed";
  });
  const required = args.requiredProfiles;
  const trust = Array.isArray(required) && required.length && required.every((p) => typeof p === "string") ? `, and that ${required.join(", ")} trust it` : "";
  pulumi.log.info(
    `chainsmith: the certificate is an Output (a secret, or a value of another resource): its chain is chosen once that value is known. The update deploys it to ${args.targets.map((t) => t.name).join(", ")} and verifies from the wire that ${labels.join(", ") || "no endpoint"} serve it${trust}; it fails if not.`,
    resource,
  );
}

function assertUniqueTargetNames(targets: TargetArgs[]): void {
  const names = targets.map((t) => t.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) throw new ChainsmithInputError("duplicate-target-name", `Target name ${twice[0]} is used twice. Give every target of a deployment its own name.`);
}

/** The explanation in Markdown, with the judgement of the first endpoint that answered. */
function reportOf(choice: ChainChoice, reports: EndpointReport[], profiles: ProfileInput[]): string {
  const answered = reports.find((r) => r.chain.length > 0);
  if (!answered) return renderExplanationMarkdown(choice);
  const served = answered.chain.flatMap((c) => parseCertificates(c.pem, `the chain served by ${answered.endpoint}`));
  return renderExplanationMarkdown(choice, judgeServed(served, { desired: choice.chain, profiles: loadProfiles(profiles), at: choice.at }));
}

function missingKey(): never {
  throw new Error("chainsmith: no private key: give privateKey (a secret) with the certificate, or a pfx that holds the key.");
}
