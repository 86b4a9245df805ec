import { describe, expect, it } from 'vitest';
import { delay, waitFor } from '../../contract-tests/messaging/wait.js';
import { SystemScheduler } from './system-scheduler.js';

const timersKeepingProcessAlive = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('SystemScheduler', () => {
  const faults: { error: unknown; context: string }[] = [];
  const scheduler = new SystemScheduler((error, context) => faults.push({ error, context }));

  it('calls the tick about every interval until cancelled, then never again', async () => {
    let ticks = 0;
    const task = scheduler.every(5, () => {
      ticks += 1;
    });

    await waitFor(() => ticks >= 3, 5_000, 'three ticks');
    task.cancel();
    const atCancel = ticks;
    await delay(60);

    expect(ticks).toBe(atCancel);
  });

  it('cancels idempotently', async () => {
    let ticks = 0;
    const task = scheduler.every(5, () => {
      ticks += 1;
    });
    await waitFor(() => ticks >= 1, 5_000, 'a tick');

    task.cancel();
    expect(() => task.cancel()).not.toThrow();
    const atCancel = ticks;
    await delay(60);
    expect(ticks).toBe(atCancel);
  });

  it('reports a rejecting or throwing tick and keeps ticking', async () => {
    faults.length = 0;
    let calls = 0;
    const rejecting = scheduler.every(5, async () => {
      calls += 1;
      throw new Error('tick failed');
    });
    const throwing = scheduler.every(5, () => {
      throw new Error('tick threw');
    });

    await waitFor(() => calls >= 3 && faults.some((f) => f.context === 'scheduled tick threw'), 5_000, 'repeated failing ticks');
    rejecting.cancel();
    throwing.cancel();

    expect(faults.some((f) => f.context === 'scheduled tick rejected' && (f.error as Error).message === 'tick failed')).toBe(true);
    expect(faults.some((f) => f.context === 'scheduled tick threw' && (f.error as Error).message === 'tick threw')).toBe(true);
  });

  it('does not keep the process alive', () => {
    const before = timersKeepingProcessAlive();
    const task = scheduler.every(60_000, () => {});

    expect(timersKeepingProcessAlive()).toBe(before);
    task.cancel();
  });

  it('refuses an interval that is not a positive number', () => {
    expect(() => scheduler.every(0, () => {})).toThrow(RangeError);
    expect(() => scheduler.every(Number.NaN, () => {})).toThrow(RangeError);
  });
});
