// The order in which a deployment's targets are touched and verified: all at once, one after
// the other (each verified before the next), or one first (verified), then the rest. Only
// the shape of the resource graph: the target and check resources come from the caller.
import type * as pulumi from "@pulumi/pulumi";

/** How targets are rolled out: all at once, one after the other (each verified), or one first (verified), then the rest. */
export type Rollout = "parallel" | "sequential" | "canary";

export interface RolloutPlan<Target, Endpoint, Check extends pulumi.Resource> {
  targets: Target[];
  nameOf(target: Target): string;
  endpointsOf(target: Target): Endpoint[];
  /** Endpoints of the deployment itself, beside the targets' own: verified last. */
  extraEndpoints: Endpoint[];
  deploy(target: Target, dependsOn: pulumi.Resource[]): pulumi.Resource;
  /** A check of these endpoints; `suffix` names it ("verify", "verify-canary", "verify-<target>"). */
  check(suffix: string, endpoints: Endpoint[], dependsOn: pulumi.Resource[]): Check;
}

export function roll<Target, Endpoint, Check extends pulumi.Resource>(rollout: Rollout, plan: RolloutPlan<Target, Endpoint, Check>): { deployed: pulumi.Resource[]; checks: Check[] } {
  const deployed: pulumi.Resource[] = [];
  const checks: Check[] = [];
  if (rollout === "sequential") {
    // Each target is verified before the next one is touched.
    let previous: pulumi.Resource[] = [];
    for (const target of plan.targets) {
      const done = plan.deploy(target, previous);
      deployed.push(done);
      const endpoints = plan.endpointsOf(target);
      previous = endpoints.length > 0 ? [pushed(checks, plan.check(`verify-${plan.nameOf(target)}`, endpoints, [done]))] : [done];
    }
    if (plan.extraEndpoints.length > 0) checks.push(plan.check("verify", plan.extraEndpoints, previous));
    return { deployed, checks };
  }
  let gate: pulumi.Resource[] = [];
  if (rollout === "canary" && plan.targets.length > 0) {
    const first = plan.deploy(plan.targets[0], []);
    deployed.push(first);
    const endpoints = plan.endpointsOf(plan.targets[0]);
    gate = [endpoints.length > 0 ? plan.check("verify-canary", endpoints, [first]) : first];
  }
  for (const target of plan.targets.slice(deployed.length)) deployed.push(plan.deploy(target, gate));
  const all = [...plan.targets.flatMap((t) => plan.endpointsOf(t)), ...plan.extraEndpoints];
  if (all.length > 0) checks.push(plan.check("verify", all, [...deployed, ...gate]));
  return { deployed, checks };
}

function pushed<T>(list: T[], item: T): T {
  list.push(item);
  return item;
}
