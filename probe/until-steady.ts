// Waiting for a server that is being reloaded: after a graceful reload the old workers keep
// answering for a moment, so one right answer can be followed by the old chain. Done means
// right on consecutive reads. The one wait of deployments, the served-chain check and tests.

export interface SteadyOptions {
  /** Give up after this long (the last read is returned). */
  timeoutMs: number;
  /** Consecutive right reads needed; default 3. */
  inRow?: number;
  /** Time between the starts of two reads; default 100 ms. */
  intervalMs?: number;
}

/**
 * Reads until `isRight` holds on `inRow` reads in a row, or the time is up; `read` gets the
 * time left. A read starts `intervalMs` after the one before it started, without waiting for
 * it to end (no more in flight than the streak still needs), and reads are judged in the
 * order they started: over a slow network three right reads take one read and two
 * intervals, not three reads and two.
 */
export async function untilSteady<T>(read: (remainingMs: number) => Promise<T>, isRight: (value: T) => boolean, options: SteadyOptions): Promise<{ value: T; steady: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  const inRow = options.inRow ?? 3;
  const intervalMs = options.intervalMs ?? 100;
  const inFlight: Promise<T>[] = [];
  let lastStart = -Infinity;
  for (let right = 0; ; ) {
    const now = Date.now();
    // No more reads than the streak may still need: if those in flight are right, it is done.
    const mayStart = inFlight.length < inRow - right && (inFlight.length === 0 || now < deadline);
    if (mayStart && now >= lastStart + intervalMs) {
      lastStart = now;
      const reading = read(Math.max(0, deadline - now));
      reading.catch(() => undefined); // judged (and its failure thrown) in its turn
      inFlight.push(reading);
      continue;
    }
    // The oldest read's end, or the time to start the next one, whichever comes first.
    if (mayStart && !(await settledBefore(inFlight[0], lastStart + intervalMs - now))) continue;
    const value = await inFlight.shift()!;
    right = isRight(value) ? right + 1 : 0;
    if (right >= inRow) return { value, steady: true };
    if (Date.now() >= deadline) return { value, steady: false };
  }
}

/** Whether `work` settles within `ms` (the empty queue never does). */
function settledBefore(work: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!work) return new Promise((resolve) => setTimeout(() => resolve(false), ms));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => (clearTimeout(timer), resolve(true));
    work.then(done, done);
  });
}
