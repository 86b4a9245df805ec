import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { Job, JobQueue, NewJob } from '../../core/messaging/work-queue.js';
import { uniqueName } from './unique-name.js';
import { delay, waitFor } from './wait.js';

export interface JobQueueFixture {
  queue: JobQueue;
  /**
   * Drops the fixture at once, as a process exit would: its workers are abandoned, not stopped, so
   * jobs in hand stay unacknowledged. Must not wait for handlers. Fixtures from one factory share
   * their backing store, as two processes share one Redis.
   */
  close(): Promise<void>;
  /** redelivery idle time the fixture configured, ms */
  claimIdleMs: number;
}

const TEST_TIMEOUT_MS = 60_000;

const newJob = (type: string, payload: Record<string, unknown> = {}): NewJob => ({ type, payload });

/** A promise to hold handlers on until the test opens it. */
const gate = (): { opened: Promise<void>; open: () => void } => {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
};

/** Every JobQueue adapter runs this suite (STYLE.md 14). Queue names are unique per test. */
export function describeJobQueueContract(adapterName: string, createFixture: () => Promise<JobQueueFixture>): void {
  describe(`JobQueue contract: ${adapterName}`, () => {
    let fixture: JobQueueFixture;
    let jobs: JobQueue;
    let queue: string;
    /** Long enough for a redelivery on a loaded machine: the idle time, a claim round and slack. */
    let redeliveryMs: number;

    beforeEach(async () => {
      fixture = await createFixture();
      jobs = fixture.queue;
      queue = uniqueName('queue');
      redeliveryMs = fixture.claimIdleMs * 10 + 10_000;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it(
      'processes a job enqueued before any worker started, as it was enqueued',
      async () => {
        const payload = { to: 'zoë@example.com', tags: ['welcome'], nested: { count: 2 } };
        const before = Date.now();
        const id = await jobs.enqueue(queue, newJob('send-email', payload));
        const seen: Job[] = [];

        await jobs.work(queue, 'mailers', async (job) => {
          seen.push(job);
        });

        await waitFor(() => seen.length === 1, 10_000, 'the job');
        expect(seen[0]).toEqual({ id, queue, type: 'send-email', payload, enqueuedAt: expect.any(Number), attempt: 1 });
        expect(seen[0]!.enqueuedAt).toBeGreaterThanOrEqual(before - 1_000);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'processes jobs enqueued while a worker waits, each once per pool',
      async () => {
        const seen: string[] = [];
        const handler = async (job: Job): Promise<void> => {
          seen.push(job.id);
        };
        await jobs.work(queue, 'pool', handler);
        await jobs.work(queue, 'pool', handler);

        const ids: string[] = [];
        for (let index = 0; index < 20; index++) ids.push(await jobs.enqueue(queue, newJob('count', { index })));

        await waitFor(() => seen.length >= ids.length, 10_000, 'every job');
        await delay(100);
        expect([...seen].sort()).toEqual([...ids].sort());
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'gives every job to every pool',
      async () => {
        const byPool: Record<string, string[]> = { mailers: [], auditors: [] };
        for (const pool of Object.keys(byPool)) {
          await jobs.work(queue, pool, async (job) => {
            byPool[pool]!.push(job.id);
          });
        }

        const ids = [await jobs.enqueue(queue, newJob('a')), await jobs.enqueue(queue, newJob('b'))];

        await waitFor(() => byPool.mailers!.length === 2 && byPool.auditors!.length === 2, 10_000, 'both jobs in both pools');
        expect(byPool.mailers).toEqual(ids);
        expect(byPool.auditors).toEqual(ids);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'retries a failed job under the same id with the next attempt number',
      async () => {
        const attempts: { id: string; attempt: number }[] = [];
        await jobs.work(queue, 'pool', async (job) => {
          attempts.push({ id: job.id, attempt: job.attempt });
          if (job.attempt === 1) throw new Error('transient failure');
        });

        const id = await jobs.enqueue(queue, newJob('flaky'));

        await waitFor(() => attempts.length === 2, redeliveryMs, 'the retry');
        expect(attempts).toEqual([
          { id, attempt: 1 },
          { id, attempt: 2 },
        ]);
        expect(await jobs.deadLetters(queue)).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'moves a job that failed maxAttempts times to the dead letters, and stops retrying it',
      async () => {
        const attempts: number[] = [];
        await jobs.work(
          queue,
          'pool',
          async (job) => {
            attempts.push(job.attempt);
            throw new Error('permanent failure');
          },
          { maxAttempts: 3 },
        );

        const id = await jobs.enqueue(queue, newJob('doomed', { reason: 'test' }));

        await waitFor(async () => (await jobs.deadLetters(queue)).length === 1, redeliveryMs * 2, 'the dead letter');
        const [dead] = await jobs.deadLetters(queue);
        expect(dead).toMatchObject({ id, queue, type: 'doomed', payload: { reason: 'test' }, attempt: 3 });
        await delay(fixture.claimIdleMs * 3);
        expect(attempts).toEqual([1, 2, 3]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'redelivers the job of a worker that died without acknowledging it to another worker of the pool',
      async () => {
        const crashing = await createFixture();
        let firstDelivery: Job | undefined;
        try {
          await crashing.queue.work(queue, 'pool', async (job) => {
            firstDelivery = job;
            await new Promise<never>(() => {});
          });
          await jobs.enqueue(queue, newJob('survivor'));
          await waitFor(() => firstDelivery !== undefined, 10_000, 'the first delivery');
        } finally {
          await crashing.close();
        }
        const redelivered: Job[] = [];

        await jobs.work(queue, 'pool', async (job) => {
          redelivered.push(job);
        });

        await waitFor(() => redelivered.length === 1, redeliveryMs, 'the redelivery');
        expect(redelivered[0]).toMatchObject({ id: firstDelivery!.id, type: 'survivor', attempt: 2 });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'does not hand a job still being processed to another worker, however long it runs',
      async () => {
        const deliveries: string[] = [];
        let finished = false;
        await jobs.work(queue, 'pool', async (job) => {
          deliveries.push(`slow:${job.attempt}`);
          await delay(fixture.claimIdleMs * 4);
          finished = true;
        });
        await jobs.enqueue(queue, newJob('long-running'));
        await waitFor(() => deliveries.length === 1, 10_000, 'the first delivery');

        await jobs.work(queue, 'pool', async (job) => {
          deliveries.push(`other:${job.attempt}`);
        });

        await waitFor(() => finished, redeliveryMs, 'the long job to finish');
        await delay(fixture.claimIdleMs * 2);
        expect(deliveries).toEqual(['slow:1']);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'stops only once the jobs in hand are done and acknowledged, then takes no more',
      async () => {
        const held = gate();
        const seenByStopped: string[] = [];
        const worker = await jobs.work(queue, 'pool', async (job) => {
          seenByStopped.push(job.type);
          await held.opened;
        });
        await jobs.enqueue(queue, newJob('in-hand'));
        await waitFor(() => seenByStopped.length === 1, 10_000, 'the job to start');

        let stopped = false;
        const stopping = worker.stop().then(() => {
          stopped = true;
        });
        await delay(100);
        expect(stopped).toBe(false);
        held.open();
        await stopping;

        const seenLater: string[] = [];
        await jobs.work(queue, 'pool', async (job) => {
          seenLater.push(job.type);
        });
        await jobs.enqueue(queue, newJob('after-stop'));
        await waitFor(() => seenLater.includes('after-stop'), 10_000, 'the next job');
        await delay(fixture.claimIdleMs * 3);
        expect(seenByStopped).toEqual(['in-hand']);
        expect(seenLater).toEqual(['after-stop']);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'runs up to `concurrency` jobs of one worker at once',
      async () => {
        const held = gate();
        let running = 0;
        let mostAtOnce = 0;
        let done = 0;
        await jobs.work(
          queue,
          'pool',
          async () => {
            running += 1;
            mostAtOnce = Math.max(mostAtOnce, running);
            await held.opened;
            running -= 1;
            done += 1;
          },
          { concurrency: 3 },
        );

        for (let index = 0; index < 5; index++) await jobs.enqueue(queue, newJob('parallel', { index }));

        await waitFor(() => running === 3, 10_000, 'three jobs at once');
        await delay(200);
        expect(mostAtOnce).toBe(3);
        held.open();
        await waitFor(() => done === 5, 10_000, 'every job');
        expect(mostAtOnce).toBe(3);
      },
      TEST_TIMEOUT_MS,
    );

    it('rejects a job whose payload JSON cannot carry', async () => {
      await expect(jobs.enqueue(queue, newJob('bigint', { amount: 10n }))).rejects.toThrow();
    });
  });
}
