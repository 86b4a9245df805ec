import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Queues, Streams } from '../../core/messaging/channels.js';
import { toStreamFields } from '../../core/simulation/index.js';
import { ManualScheduler } from '../../test-support/core/manual-scheduler.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { waitFor } from '../messaging/wait.js';
import { aMetricSample, aSimulation, valueOf } from './builders.js';
import type { Simulation } from '../../core/simulation/index.js';
import { createBackgroundFixture, type BackgroundFixture } from '../../test-support/background-fixture.js';
import { CLEANUP_JOB, cleanupJobHandler, scheduleCleanup } from '../../core/simulation/cleanup-jobs.js';

const HOUR = 3_600_000;

describe('the cleanup worker on async:cleanup:queue', () => {
  let f: BackgroundFixture;
  beforeEach(async () => {
    f = createBackgroundFixture();
    await f.jobs.work(
      Queues.cleanup,
      'simulation-cleanup',
      cleanupJobHandler({ repository: f.repository, streams: f.streams, clock: f.clock, logger: f.logger }),
    );
  });
  afterEach(async () => {
    await f.close();
  });

  /** A stored simulation with one entry in its stream. */
  const stored = async (overrides: Partial<Simulation>): Promise<Simulation> => {
    const simulation = valueOf(await f.repository.create(aSimulation(overrides)));
    await f.streams.append(Streams.simulation(simulation.id), toStreamFields(aMetricSample(1)));
    return simulation;
  };

  it('deletes finished simulations older than older_than_ms with their results and streams, and keeps the rest', async () => {
    const now = f.clock.now();
    const old = await stored({ status: 'completed', startedAt: now - 50 * HOUR, completedAt: now - 48 * HOUR });
    const recent = await stored({ status: 'stopped', startedAt: now - 2 * HOUR, completedAt: now - HOUR });
    const running = await stored({ status: 'running', startedAt: now - 72 * HOUR });

    await f.jobs.enqueue(Queues.cleanup, { type: CLEANUP_JOB, payload: { older_than_ms: 24 * HOUR } });

    await waitFor(async () => (await f.repository.findById(old.id)) === undefined, 5_000, 'the old simulation to be deleted');
    await waitFor(async () => (await f.streams.length(Streams.simulation(old.id))) === 0, 5_000, 'its stream to be removed');
    expect(await f.repository.findById(recent.id)).toBeDefined();
    expect(await f.repository.findById(running.id)).toBeDefined();
    expect(await f.streams.length(Streams.simulation(recent.id))).toBe(1);
    expect(await f.streams.length(Streams.simulation(running.id))).toBe(1);
    expect(await f.jobs.deadLetters(Queues.cleanup)).toEqual([]);
  });

  it('acknowledges jobs of other types untouched, and drops a malformed cleanup job with a log line', async () => {
    const now = f.clock.now();
    const old = await stored({ status: 'completed', startedAt: now - 50 * HOUR, completedAt: now - 48 * HOUR });

    await f.jobs.enqueue(Queues.cleanup, { type: 'cleanup_sessions', payload: { older_than_ms: 0 } });
    await f.jobs.enqueue(Queues.cleanup, { type: CLEANUP_JOB, payload: { older_than_ms: 'a day' } });

    expect(await f.logged('cleanup job dropped: older_than_ms must be a non-negative number')).toMatchObject({ olderThanMs: 'a day' });
    expect(await f.repository.findById(old.id)).toBeDefined();
    expect(await f.jobs.deadLetters(Queues.cleanup)).toEqual([]);
  });
});

describe('scheduleCleanup', () => {
  it('enqueues a cleanup job a minute after start, then every interval, until cancelled', async () => {
    const f = createBackgroundFixture();
    const clock = new ManualClock();
    const scheduler = new ManualScheduler(clock);
    const faults: unknown[] = [];
    try {
      const enqueued = await f.observe(Queues.cleanup);
      const schedule = scheduleCleanup({
        scheduler,
        jobs: f.jobs,
        intervalMs: HOUR,
        retentionMs: 24 * HOUR,
        reportFault: (error) => faults.push(error),
      });

      await scheduler.advance(59_999);
      expect(await f.streams.length(Queues.cleanup)).toBe(0);
      await scheduler.advance(1);
      await waitFor(() => enqueued.length === 1, 5_000, 'the first cleanup job');
      expect(enqueued[0]).toMatchObject({ type: CLEANUP_JOB, payload: { older_than_ms: 24 * HOUR } });

      await scheduler.advance(HOUR - 60_000);
      await waitFor(() => enqueued.length === 2, 5_000, 'the hourly cleanup job');
      schedule.cancel();
      expect(scheduler.active).toBe(0);
      await scheduler.advance(3 * HOUR);
      expect(await f.streams.length(Queues.cleanup)).toBe(2);
      expect(faults).toEqual([]);
    } finally {
      await f.close();
    }
  });
});
