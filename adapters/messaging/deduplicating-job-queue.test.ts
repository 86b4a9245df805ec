import { describe, expect, it } from 'vitest';
import type { Job } from '../../core/messaging/work-queue.js';
import { InMemoryStreamStore } from '../memory/in-memory-stream-store.js';
import { createLogger } from '../observability/logger.js';
import { StreamJobQueue } from '../streams/stream-job-queue.js';
import { SystemClock } from '../system/system-clock.js';
import { DeduplicatingJobQueue } from './deduplicating-job-queue.js';

const waitFor = async (predicate: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const queueOnStreams = () => {
  const store = new InMemoryStreamStore();
  const inner = new StreamJobQueue(store, new SystemClock(), createLogger('test'), { blockMs: 20, claimIdleMs: 50 });
  return { store, inner, jobs: new DeduplicatingJobQueue(inner) };
};

describe('DeduplicatingJobQueue', () => {
  it('runs a job enqueued twice with one key once, and jobs without a key every time', async () => {
    const { store, inner, jobs } = queueOnStreams();
    const handled: Job[] = [];
    const worker = await jobs.work('q', 'pool', async (job) => void handled.push(job));
    try {
      await jobs.enqueue('q', { type: 'welcome', payload: { n: 1 }, key: 'k1' });
      await jobs.enqueue('q', { type: 'welcome', payload: { n: 1 }, key: 'k1' });
      await jobs.enqueue('q', { type: 'plain', payload: {} });
      await jobs.enqueue('q', { type: 'plain', payload: {} });
      await jobs.enqueue('q', { type: 'last', payload: {}, key: 'k2' });
      await waitFor(() => handled.some((job) => job.type === 'last'));

      expect(handled.map((job) => job.type)).toEqual(['welcome', 'plain', 'plain', 'last']);
      expect(handled[0]!.key).toBe('k1');
      expect(await store.pending('q', 'pool')).toEqual([]);
    } finally {
      await worker.stop();
      await inner.close();
    }
  });

  it('still retries a keyed job whose handler failed', async () => {
    const { inner, jobs } = queueOnStreams();
    let attempts = 0;
    const worker = await jobs.work('q', 'pool', async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('smtp down');
    });
    try {
      await jobs.enqueue('q', { type: 'welcome', payload: {}, key: 'k1' });
      await waitFor(() => attempts === 2);
    } finally {
      await worker.stop();
      await inner.close();
    }
    expect(attempts).toBe(2);
  });
});
