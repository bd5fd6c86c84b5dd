// The wait for a reloading server: right on consecutive reads, judged in the order they
// started; over a slow network the reads overlap (started an interval apart, at most inRow
// at once), so the wait is one read and two intervals, not three reads and two intervals.
import { describe, expect, it } from "vitest";
import { untilSteady } from "../../../probe/until-steady";

/** Reads that each take `ms[i]` and answer `answers[i]` (the last answer repeats), recording how many run at once. */
function scriptedReads(answers: boolean[], ms: number[]) {
  let started = 0;
  let running = 0;
  let mostAtOnce = 0;
  const read = async () => {
    const i = started++;
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    await new Promise((resolve) => setTimeout(resolve, ms[Math.min(i, ms.length - 1)]));
    running--;
    return { i, right: answers[Math.min(i, answers.length - 1)] };
  };
  return { read, started: () => started, mostAtOnce: () => mostAtOnce };
}

describe("untilSteady", () => {
  it("overlaps slow reads: three right reads are started an interval apart, never more than three at once", async () => {
    const reads = scriptedReads([true], [200]);
    const { value, steady } = await untilSteady(reads.read, (v) => v.right, { timeoutMs: 60_000, intervalMs: 10 });
    expect(steady).toBe(true);
    expect(value.i).toBe(2);
    expect(reads.started()).toBe(3);
    expect(reads.mostAtOnce()).toBe(3);
  });

  it("judges reads in the order they started, even when a later one ends first", async () => {
    // The first read is slow and sees the old chain; the next ones are fast and right.
    const reads = scriptedReads([false, true], [300, 5]);
    const { value, steady } = await untilSteady(reads.read, (v) => v.right, { timeoutMs: 60_000, intervalMs: 10 });
    expect(steady).toBe(true);
    // Reads 1 and 2 ended right before read 0 was judged wrong: the streak starts again after it.
    expect(value.i).toBe(3);
  });

  it("starts one read at a time when reads are fast, an interval apart", async () => {
    const reads = scriptedReads([false, false, true], [1]);
    const { value, steady } = await untilSteady(reads.read, (v) => v.right, { timeoutMs: 60_000, intervalMs: 20 });
    expect(steady).toBe(true);
    expect(value.i).toBe(4);
    expect(reads.mostAtOnce()).toBe(1);
  });

  it("gives up after the timeout with the last read judged", async () => {
    const reads = scriptedReads([true, false], [1]);
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
