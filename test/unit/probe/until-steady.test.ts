// The wait for a reloading server: right on consecutive reads, judged in the order they
// started; over a slow network the reads overlap (started an interval apart, at most inRow
// at once), so the wait is one read and two intervals, not three reads and two intervals.
import { describe, expect, it } from "vitest";
import { untilSteady } from "../../../probe/until-steady";

/**
 * Reads that answer `answers[i]` (the last answer repeats), each ending when `until(i, state)`
 * holds (checked as reads start and end; no timers, so a loaded machine cannot reorder them),
 * recording how many run at once.
 */
function scriptedReads(answers: boolean[], until: (i: number, state: { started: number; ended: Set<number> }) => boolean = () => true) {
  const state = { started: 0, ended: new Set<number>() };
  const waiting: { i: number; release: () => void }[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const wake = () => {
    for (const w of [...waiting]) if (until(w.i, state)) waiting.splice(waiting.indexOf(w), 1), w.release();
  };
  const read = async () => {
    const i = state.started++;
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    await new Promise<void>((release) => (waiting.push({ i, release }), wake()));
    running--;
    state.ended.add(i);
    queueMicrotask(wake);
    return { i, right: answers[Math.min(i, answers.length - 1)] };
  };
  return { read, started: () => state.started, mostAtOnce: () => mostAtOnce };
}

describe("untilSteady", () => {
  it("overlaps slow reads: three right reads are started an interval apart, never more than three at once", async () => {
    // No read ends before the third has started: a slow network.
    const reads = scriptedReads([true], (_i, state) => state.started >= 3);
    const { value, steady } = await untilSteady(reads.read, (v) => v.right, { timeoutMs: 60_000, intervalMs: 10 });
    expect(steady).toBe(true);
    expect(value.i).toBe(2);
    expect(reads.started()).toBe(3);
    expect(reads.mostAtOnce()).toBe(3);
  });

  it("judges reads in the order they started, even when a later one ends first", async () => {
    // The first read sees the old chain and ends only after the next two, which are right.
    const reads = scriptedReads([false, true], (i, state) => i !== 0 || (state.ended.has(1) && state.ended.has(2)));
    const { value, steady } = await untilSteady(reads.read, (v) => v.right, { timeoutMs: 60_000, intervalMs: 10 });
    expect(steady).toBe(true);
    // Reads 1 and 2 ended right before read 0 was judged wrong: the streak starts again after it.
    expect(value.i).toBe(3);
  });

  it("starts one read at a time when reads are fast, an interval apart", async () => {
    // Each read ends at once (before any timer can fire).
    const reads = scriptedReads([false, false, true]);
    const { value, steady } = await untilSteady(reads.read, (v) => v.right, { timeoutMs: 60_000, intervalMs: 20 });
    expect(steady).toBe(true);
    expect(value.i).toBe(4);
    expect(reads.mostAtOnce()).toBe(1);
  });

  it("gives up after the timeout with the last read judged", async () => {
    const reads = scriptedReads([true, false]);
    const { value, steady } = await untilSteady(reads.read, (v) => v.right, { timeoutMs: 100, intervalMs: 10 });
    expect(steady).toBe(false);
    expect(value.right).toBe(false);
  });

  it("a read that fails fails the wait", async () => {
    let calls = 0;
    const read = async () => {
      if (++calls === 2) throw new Error("probe broke");
      await new Promise((resolve) => setTimeout(resolve, 50));
      return true;
    };
    await expect(untilSteady(read, (v) => v, { timeoutMs: 60_000, intervalMs: 5 })).rejects.toThrow("probe broke");
  });
});
