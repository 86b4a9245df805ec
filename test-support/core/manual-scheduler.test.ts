import { describe, expect, it } from 'vitest';
import { ManualScheduler, type AdvancingClock } from './manual-scheduler.js';

const aClock = (start = 0): AdvancingClock => {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
};

describe('ManualScheduler', () => {
  it('runs a tick each time its interval falls due, at its due time', async () => {
    const clock = aClock(1_000);
    const scheduler = new ManualScheduler(clock);
    const seen: number[] = [];
    scheduler.every(100, () => void seen.push(clock.now()));

    await scheduler.advance(350);

    expect(seen).toEqual([1_100, 1_200, 1_300]);
    expect(clock.now()).toBe(1_350);
  });

  it('awaits each tick before the next', async () => {
    const scheduler = new ManualScheduler(aClock());
    const order: string[] = [];
    scheduler.every(10, async () => {
      order.push('start');
      await Promise.resolve();
      order.push('end');
    });

    await scheduler.advance(20);

    expect(order).toEqual(['start', 'end', 'start', 'end']);
  });

  it('stops calling a cancelled task', async () => {
    const scheduler = new ManualScheduler(aClock());
    let calls = 0;
    const task = scheduler.every(10, () => {
      calls += 1;
      if (calls === 2) task.cancel();
    });

    const moved = await scheduler.runUntilIdle(1_000, 100);

    expect(calls).toBe(2);
    expect(scheduler.active).toBe(0);
    expect(moved).toBe(100);
  });
});
