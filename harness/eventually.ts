// The one way tests wait: poll a condition (probe/until-steady.ts, the wait deployments use)
// with generous limits, because the suite runs on busy 2-core machines. No fixed sleeps.
import { untilSteady } from "../probe/until-steady";

/** Resolves once `condition` holds; fails naming `what` after timeoutMs. */
export async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, intervalMs = 20): Promise<void> {
  const { steady } = await untilSteady(async () => await condition(), (ok) => ok, { timeoutMs, inRow: 1, intervalMs });
  if (!steady) throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** After a graceful reload old workers answer for a moment: the condition must hold on 3 probes in a row, as deployments wait. */
export async function waitUntilSteady(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const { steady } = await untilSteady(condition, (ok) => ok, { timeoutMs });
  if (!steady) throw new Error(`condition not met on 3 probes in a row within ${timeoutMs} ms`);
}
