import { describe, expect, it } from "vitest";
import { mapLimit } from "../../../src/pipeline/core/limit.js";

/** A call that finishes when the test says so. */
function gate() {
  const pending = new Map<number, () => void>();
  return {
    pending,
    fn: (item: number) => new Promise<number>((resolve) => pending.set(item, () => resolve(item * 10))),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("mapLimit", () => {
  it("keeps at most `limit` calls in flight, starts them in item order and returns results in item order", async () => {
    const g = gate();
    const done = mapLimit([1, 2, 3, 4, 5], 2, g.fn);
    await tick();
    expect([...g.pending.keys()]).toEqual([1, 2]);
    g.pending.get(2)!(); // the second finishes first: the third item starts, not a later one
    await tick();
    expect([...g.pending.keys()]).toEqual([1, 2, 3]);
    for (const k of [3, 1]) g.pending.get(k)!();
    await tick();
    expect([...g.pending.keys()]).toEqual([1, 2, 3, 4, 5]);
    for (const k of [5, 4]) g.pending.get(k)!();
    expect(await done).toEqual([10, 20, 30, 40, 50]);
  });

  it("starts nothing after a failure and rejects with the first error once the calls in flight settled", async () => {
    const started: number[] = [];
    let releaseSecond!: () => void;
    const done = mapLimit([1, 2, 3, 4], 2, async (item) => {
      started.push(item);
      if (item === 1) throw new Error("first failed");
      if (item === 2) await new Promise<void>((r) => (releaseSecond = r));
      return item;
    });
    let settled = false;
    void done.catch(() => (settled = true));
    await tick();
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(false); // the second call is still in flight
    releaseSecond();
    await expect(done).rejects.toThrow("first failed");
    expect(started).toEqual([1, 2]);
  });

  it("maps no items to no results", async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});
