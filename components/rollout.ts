// The order in which a deployment's targets are touched and verified: all at once, one after
// the other (each verified before the next), or a canary: the first target alone, verified,
// then the rest, at once or in waves of a size or a share of the fleet, each wave verified
// before the next starts. A failed verification stops the rollout there: the later waves
// depend on it. Only the shape of the resource graph: the target and check resources come
// from the caller.
import type * as pulumi from "@pulumi/pulumi";
import { ChainsmithInputError } from "../chain/errors";

/**
 * How targets are rolled out: "parallel" (all at once), "sequential" (one after the other, each
 * verified), "canary" (the first target, verified, then all the rest), or { waves }: the first
 * target, verified, then waves of that many targets (10) or that share of all targets ("25%"),
 * each verified before the next starts.
 */
export type Rollout = "parallel" | "sequential" | "canary" | { waves: number | string };

export interface RolloutPlan<Target, Endpoint, Check extends pulumi.Resource> {
  targets: Target[];
  nameOf(target: Target): string;
  endpointsOf(target: Target): Endpoint[];
  /** Endpoints of the deployment itself, beside the targets' own: verified last. */
  extraEndpoints: Endpoint[];
  deploy(target: Target, dependsOn: pulumi.Resource[]): pulumi.Resource;
  /** A check of these endpoints; `suffix` names it ("verify", "verify-canary", "verify-wave-<n>", "verify-<target>"). */
  check(suffix: string, endpoints: Endpoint[], dependsOn: pulumi.Resource[]): Check;
}

/** One wave of a rollout: its targets, and the check that proves them (the last wave's: the final verification). */
export interface Wave<Target, Check> {
  targets: Target[];
  check?: Check;
}

/** The targets of each wave, in order; throws a ChainsmithInputError for a rollout that is not one of the kinds. */
export function wavesOf<Target>(rollout: Rollout, targets: Target[]): Target[][] {
  if (rollout === "parallel") return [targets];
  if (rollout === "sequential") return targets.map((t) => [t]);
  const size = rollout === "canary" ? Math.max(1, targets.length - 1) : waveSize(rollout, targets.length);
  if (targets.length === 0) return [[]];
  const [first, ...rest] = targets;
  const later: Target[][] = [];
  for (let i = 0; i < rest.length; i += size) later.push(rest.slice(i, i + size));
  return [[first], ...(later.length > 0 ? later : [[]])];
}

function waveSize(rollout: unknown, total: number): number {
  const waves = (rollout as { waves?: unknown } | undefined)?.waves;
  if (typeof rollout !== "object" || rollout === null || waves === undefined) {
    throw new ChainsmithInputError("bad-rollout", `rollout ${JSON.stringify(rollout)} is not a rollout. Give "parallel", "sequential", "canary", or { waves: 10 } (targets per wave) or { waves: "25%" } (a share of all targets).`);
  }
  if (typeof waves === "number" && Number.isInteger(waves) && waves >= 1) return waves;
  const share = typeof waves === "string" ? /^(\d+(?:\.\d+)?)%$/.exec(waves.trim()) : null;
  if (share && Number(share[1]) > 0 && Number(share[1]) <= 100) return Math.max(1, Math.ceil((Number(share[1]) / 100) * total));
  throw new ChainsmithInputError("bad-rollout", `rollout waves ${JSON.stringify(waves)} is not a wave size. Give a whole number of targets per wave (10) or a share of all targets from 1% to 100% ("25%").`);
}

/** The targets and checks in rollout order; `checks`: those whose results are reported (each endpoint once). */
export function roll<Target, Endpoint, Check extends pulumi.Resource>(rollout: Rollout, plan: RolloutPlan<Target, Endpoint, Check>): { deployed: pulumi.Resource[]; checks: Check[]; waves: Wave<Target, Check>[] } {
  const targetWaves = wavesOf(rollout, plan.targets);
  // Sequential verifies every target on its own and the extra endpoints last; the others
  // verify each wave but the last, then every endpoint together.
  const eachChecked = rollout === "sequential";
  const checkName = (index: number, wave: Target[]) => (eachChecked ? `verify-${plan.nameOf(wave[0])}` : index === 0 ? "verify-canary" : `verify-wave-${index + 1}`);
  const deployed: pulumi.Resource[] = [];
  const checks: Check[] = [];
  const waves: Wave<Target, Check>[] = [];
  let gate: pulumi.Resource[] = [];
  for (const [index, targets] of targetWaves.entries()) {
    const done = targets.map((target) => plan.deploy(target, gate));
    deployed.push(...done);
    const endpoints = targets.flatMap((t) => plan.endpointsOf(t));
    if (index === targetWaves.length - 1 && !eachChecked) {
      const all = [...plan.targets.flatMap((t) => plan.endpointsOf(t)), ...plan.extraEndpoints];
      const final = all.length > 0 ? pushed(checks, plan.check("verify", all, [...deployed, ...gate])) : undefined;
      waves.push({ targets, check: final });
      break;
    }
    // A canary wave's check is not reported: the final verification covers its endpoints again.
    const check = endpoints.length > 0 ? plan.check(checkName(index, targets), endpoints, done) : undefined;
    if (check && eachChecked) checks.push(check);
    gate = check ? [check] : done;
    waves.push({ targets, check });
  }
  if (eachChecked && plan.extraEndpoints.length > 0) checks.push(plan.check("verify", plan.extraEndpoints, gate));
  return { deployed, checks, waves };
}

/** The plan in one line: "3 waves, each verified before the next starts: 1 target (web1), 2 (web2, web3), 1 (web4)". */
export function describeWaves<Target>(waves: Target[][], nameOf: (target: Target) => string): string {
  const names = (wave: Target[]) => (wave.length <= 3 ? wave.map(nameOf).join(", ") : `${nameOf(wave[0])} ... ${nameOf(wave[wave.length - 1])}`);
  const shown = waves.filter((w) => w.length > 0);
  return `${shown.length} waves, each verified before the next starts: ${shown.map((w, i) => `${w.length}${i === 0 ? (w.length === 1 ? " target" : " targets") : ""} (${names(w)})`).join(", ")}`;
}

function pushed<T>(list: T[], item: T): T {
  list.push(item);
  return item;
}
