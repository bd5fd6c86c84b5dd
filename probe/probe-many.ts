import { ChainsmithInputError } from "../chain/errors";
import { ProbeError } from "./errors";
import { probe, type ProbeOptions, type ProbeResult } from "./probe";

/** One endpoint's outcome: its result, or the error that says why it could not be read. */
export type ProbeOutcome =
  | { endpoint: ProbeOptions; ok: true; result: ProbeResult }
  | { endpoint: ProbeOptions; ok: false; error: ProbeError | ChainsmithInputError };

export interface ProbeManyOptions {
  /** Probes in flight at once; default 16. */
  concurrency?: number;
  /** Called after each endpoint finishes, in completion order. */
  onProgress?: (done: number, total: number, outcome: ProbeOutcome) => void;
}

const DEFAULT_CONCURRENCY = 16;

/**
 * Probes a fleet with bounded concurrency. Every endpoint gets an outcome (a failure does
 * not stop the others); outcomes come back in the order of `endpoints`.
 */
export async function probeMany(endpoints: ProbeOptions[], options: ProbeManyOptions = {}): Promise<ProbeOutcome[]> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ChainsmithInputError("bad-probe-option", `concurrency ${String(concurrency)} is not a whole number of at least 1.`);
  }
  const outcomes = new Array<ProbeOutcome>(endpoints.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < endpoints.length) {
      const index = next++;
      const endpoint = endpoints[index];
      outcomes[index] = await probe(endpoint).then(
        (result): ProbeOutcome => ({ endpoint, ok: true, result }),
        (error: unknown): ProbeOutcome => {
          if (error instanceof ProbeError || error instanceof ChainsmithInputError) return { endpoint, ok: false, error };
          throw error;
        },
      );
      options.onProgress?.(++done, endpoints.length, outcomes[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, endpoints.length) }, worker));
  return outcomes;
}
