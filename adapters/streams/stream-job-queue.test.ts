import { describe, it, expect, afterEach } from 'vitest';
import type { Job } from '../../core/messaging/work-queue.js';
import { InMemoryStreamStore } from '../memory/in-memory-stream-store.js';
import { createLogger } from '../observability/logger.js';
import { StreamJobQueue, type StreamJobQueueOptions } from './stream-job-queue.js';
import { testLogger } from '../../test-support/test-logger.js';

const waitFor = async (predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const clock = { now: () => Date.now() };
const logger = testLogger('stream-job-queue-test');
const opened: { close(): Promise<void> }[] = [];

const setUp = (options: StreamJobQueueOptions = {}) => {
  const store = new InMemoryStreamStore();
  const queue = new StreamJobQueue(store, clock, logger, { claimIdleMs: 300, blockMs: 100, ...options });
  opened.push(queue, store);
  return { store, queue, another: () => addQueue(store, options) };
};

const addQueue = (store: InMemoryStreamStore, options: StreamJobQueueOptions) => {
  const queue = new StreamJobQueue(store, clock, logger, { claimIdleMs: 300, blockMs: 100, ...options });
  opened.unshift(queue);
  return queue;
};

afterEach(async () => {
  for (const resource of opened.splice(0)) await resource.close();
});

describe('StreamJobQueue', () => {
  it('keeps a queue in the stream named as the queue, the job id being the entry id', async () => {
    const { store, queue } = setUp();

    const id = await queue.enqueue('async:email:queue', { type: 'welcome', payload: { userId: 'u-1' } });

    const [entry] = await store.range('async:email:queue', '-', '+');
    expect(entry!.id).toBe(id);
    expect(entry!.fields).toMatchObject({ type: 'welcome', payload: '{"userId":"u-1"}' });
  });

  it('records in the dead letters which pool gave up and why', async () => {
    const { store, queue } = setUp();
    await queue.work(
      'q',
      'mailers',
      async () => {
        throw new Error('mailbox full');
      },
      { maxAttempts: 1 },
    );

    await queue.enqueue('q', { type: 'send', payload: {} });

    await waitFor(async () => (await store.length('q:dead')) === 1);
    const [dead] = await store.range('q:dead', '-', '+');
    expect(dead!.fields).toMatchObject({ group: 'mailers', reason: 'mailbox full', attempt: '1', type: 'send' });
    expect(await store.pending('q', 'mailers')).toEqual([]);
  });

  it('dead-letters without running it a job whose worker died during its last attempt', async () => {
    const { queue, another } = setUp();
    const crashing = another();
    let started = false;
    await crashing.work(
      'q',
      'pool',
      async () => {
        started = true;
        await new Promise<never>(() => {});
      },
      { maxAttempts: 1 },
    );
    await queue.enqueue('q', { type: 'poison', payload: {} });
    await waitFor(() => started);
    await crashing.close();
    const ran: Job[] = [];

    await queue.work(
      'q',
      'pool',
      async (job) => {
        ran.push(job);
      },
      { maxAttempts: 1 },
    );

    await waitFor(async () => (await queue.deadLetters('q')).length === 1);
    expect(ran).toEqual([]);
    expect((await queue.deadLetters('q'))[0]).toMatchObject({ type: 'poison', attempt: 2 });
  });

  it('drops an unreadable entry and goes on with the next job', async () => {
    const { store, queue } = setUp();
    await store.append('q', { something: 'else' });
    const seen: string[] = [];
    await queue.work('q', 'pool', async (job) => {
      seen.push(job.type);
    });

    await queue.enqueue('q', { type: 'fine', payload: {} });

    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(['fine']);
    await waitFor(async () => (await store.pending('q', 'pool')).length === 0);
  });

  it('recovers when its queue stream is deleted under it', async () => {
    const { store, queue } = setUp();
    const seen: string[] = [];
    await queue.work('q', 'pool', async (job) => {
      seen.push(job.type);
    });

    await store.remove('q');
    await queue.enqueue('q', { type: 'after-removal', payload: {} });

    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(['after-removal']);
  });

  it('recreates its consumer group at once when the stream is gone (Redis restarted empty), without backing off', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) };
    const store = new InMemoryStreamStore();
    const queue = new StreamJobQueue(store, clock, createLogger('worker', 'warn', sink), { claimIdleMs: 300, blockMs: 100 });
    opened.push(queue, store);
    const seen: string[] = [];
    await queue.work('q', 'pool', async (job) => {
      seen.push(job.type);
    });

    await store.remove('q');
    await queue.enqueue('q', { type: 'after-restart', payload: {} });

    await waitFor(() => seen.length === 1);
    expect(lines.map((line) => line.msg)).toEqual(['consumer group was missing; recreated it']);
  });

  it('keeps about retainedJobs jobs in a queue stream', async () => {
    const { store, queue } = setUp({ retainedJobs: 5 });

    for (let index = 0; index < 20; index++) await queue.enqueue('q', { type: 't', payload: { index } });

    expect(await store.length('q')).toBe(5);
  });

  it('closes at once, abandoning the jobs in hand', async () => {
    const { queue } = setUp();
    let started = false;
    await queue.work('q', 'pool', async () => {
      started = true;
      await new Promise<never>(() => {});
    });
    await queue.enqueue('q', { type: 'hangs', payload: {} });
    await waitFor(() => started);

    await expect(queue.close()).resolves.toBeUndefined();
  });

  it('refuses a worker with a concurrency below one', async () => {
    const { queue } = setUp();

    await expect(queue.work('q', 'pool', async () => {}, { concurrency: 0 })).rejects.toThrow(RangeError);
  });

  it('refuses a job without a type', async () => {
    const { queue } = setUp();

    await expect(queue.enqueue('q', { type: '', payload: {} })).rejects.toThrow(/needs a type/);
  });
});
