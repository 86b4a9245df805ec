import { RecentIds } from '../../core/messaging/recent-ids.js';
import type { JobHandler, JobQueue, NewJob, Worker, WorkerOptions } from '../../core/messaging/work-queue.js';

/** Keys remembered per worker pool by default. */
export const defaultRememberedJobKeys = 10_000;

/**
 * A job queue whose workers acknowledge without running a job whose `key` they have already done
 * (docs/adr/0038): the outbox relay may enqueue one job twice. A key counts as done only once its
 * handler resolved, so a failed job is still retried. Memory is per pool and process: workers of a
 * pool in different processes may each do a copy (rare: it takes a relay dying between send and mark).
 */
export class DeduplicatingJobQueue implements JobQueue {
  private readonly done = new Map<string, RecentIds>();

  constructor(
    private readonly inner: JobQueue,
    private readonly remembered: number = defaultRememberedJobKeys,
  ) {}

  enqueue(queue: string, job: NewJob): Promise<string> {
    return this.inner.enqueue(queue, job);
  }

  work(queue: string, group: string, handler: JobHandler, options?: WorkerOptions): Promise<Worker> {
    const pool = `${queue}\n${group}`;
    const done = this.done.get(pool) ?? new RecentIds(this.remembered);
    this.done.set(pool, done);
    return this.inner.work(
      queue,
      group,
      async (job) => {
        if (job.key !== undefined && done.has(job.key)) return;
        await handler(job);
        if (job.key !== undefined) done.add(job.key);
      },
      options,
    );
  }

  deadLetters: JobQueue['deadLetters'] = (queue, count) => this.inner.deadLetters(queue, count);
}
