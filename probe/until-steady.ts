// Waiting for a server that is being reloaded: after a graceful reload the old workers keep
// answering for a moment, so one right answer can be followed by the old chain. Done means
// right on consecutive reads. The one wait of deployments, the served-chain check and tests.

export interface SteadyOptions {
  /** Give up after this long (the last read is returned). */
  timeoutMs: number;
  /** Consecutive right reads needed; default 3. */
  inRow?: number;
  /** Pause between reads; default 100 ms. */
  intervalMs?: number;
}

/** Reads until `isRight` holds on `inRow` reads in a row, or the time is up; `read` gets the time left. */
export async function untilSteady<T>(read: (remainingMs: number) => Promise<T>, isRight: (value: T) => boolean, options: SteadyOptions): Promise<{ value: T; steady: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  const inRow = options.inRow ?? 3;
  for (let right = 0; ; ) {
    const value = await read(Math.max(0, deadline - Date.now()));
    right = isRight(value) ? right + 1 : 0;
    if (right >= inRow) return { value, steady: true };
    if (Date.now() >= deadline) return { value, steady: false };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
