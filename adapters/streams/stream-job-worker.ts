import type { Job, JobHandler, Worker } from '../../core/messaging/work-queue.js';
import type { StreamEntry, StreamStore } from '../../core/messaging/streams.js';
import type { Logger } from '../observability/logger.js';
import { runReceived } from '../observability/trace-context-scope.js';
import { decodeJob, jobParentSpan } from './stream-job-codec.js';

export interface StreamJobWorkerSettings {
  readonly store: StreamStore;
  readonly queue: string;
  readonly group: string;
  /** Unique per worker: the consumer name in the group. */
  readonly consumer: string;
  readonly handler: JobHandler;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly claimIdleMs: number;
  readonly blockMs: number;
  readonly logger: Logger;
  /** Records the job among the queue's dead letters (the worker acknowledges it afterwards). */
  readonly deadLetter: (job: Job, reason: string) => Promise<void>;
}

type State = 'running' | 'stopping' | 'stopped' | 'abandoned';

const ERROR_BACKOFF_MS = 500;

/** NOGROUP: Redis (or the in-memory store) has no such stream or consumer group. */
const isMissingGroup = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOGROUP');

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One consumer of a queue's consumer group. New jobs come from `readGroup` (attempt 1). A job
 * stays pending until acknowledged: jobs in hand get a heartbeat (`keepClaim`) every third of
 * `claimIdleMs`, so only the jobs of a failed attempt or of a dead worker go idle, and any worker
 * of the pool claims those (`claimIdle`), the delivery count becoming the attempt number.
 */
export class StreamJobWorker implements Worker {
  private state: State = 'running';
  private readonly inHand = new Map<string, Promise<void>>();
  private readonly halted: Promise<void>;
  private halt: () => void = () => {};
  private loopDone: Promise<void> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | undefined;
  private nextClaimAt = 0;
  private groupRecreatedAt = 0;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly settings: StreamJobWorkerSettings,
    private readonly onEnd: (worker: StreamJobWorker) => void,
  ) {
    this.halted = new Promise((resolve) => {
      this.halt = resolve;
    });
  }

  start(): void {
    this.loopDone = this.loop();
    this.heartbeat = setInterval(() => void this.keepJobsInHand(), Math.max(5, Math.floor(this.settings.claimIdleMs / 3)));
  }

  stop(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  /** Drops the worker at once, as if its process died: jobs in hand are never acknowledged. */
  abandon(): void {
    if (this.state === 'stopped' || this.state === 'abandoned') return;
    this.state = 'abandoned';
    this.halt();
    clearInterval(this.heartbeat);
    this.onEnd(this);
  }

  private async drain(): Promise<void> {
    if (this.state === 'running') this.state = 'stopping';
    this.halt();
    await this.loopDone;
    if (this.state === 'stopping') await Promise.all(this.inHand.values());
    clearInterval(this.heartbeat);
    if (this.state === 'stopping') this.state = 'stopped';
    this.onEnd(this);
  }

  private async loop(): Promise<void> {
    const { store, queue, group, consumer, concurrency, blockMs, logger } = this.settings;
    while (this.state === 'running') {
      try {
        const free = concurrency - this.inHand.size;
        if (free <= 0) {
          await Promise.race([...this.inHand.values(), this.halted]);
          continue;
        }
        if (await this.claimIdleJobs(free)) continue;
        const waitMs = Math.max(1, Math.min(blockMs, this.nextClaimAt - Date.now()));
        const entries = await store.readGroup(queue, group, consumer, { count: free, blockMs: waitMs });
        for (const entry of entries) this.take(entry, 1);
      } catch (error) {
        if (this.state !== 'running') return;
        // The stream was deleted with its group, or Redis restarted empty: recreate them and go on
        // at once, unless that was just done (then something keeps deleting them: back off).
        const recreatedLately = Date.now() - this.groupRecreatedAt < ERROR_BACKOFF_MS;
        if (isMissingGroup(error) && !recreatedLately && (await this.recreateGroup(error))) continue;
        logger.error({ err: error, queue, group, consumer }, 'reading jobs failed; retrying');
        await Promise.race([delay(ERROR_BACKOFF_MS), this.halted]);
        // A missing group may have been the cause behind another error: recreate it (a no-op otherwise).
        if (this.state === 'running') await store.ensureGroup(queue, group, '0').catch(() => undefined);
      }
    }
  }

  /** True once the group exists again. */
  private async recreateGroup(cause: unknown): Promise<boolean> {
    const { store, queue, group, consumer, logger } = this.settings;
    try {
      await store.ensureGroup(queue, group, '0');
    } catch {
      return false;
    }
    this.groupRecreatedAt = Date.now();
    const reason = cause instanceof Error ? cause.message : String(cause);
    logger.warn({ queue, group, consumer, reason }, 'consumer group was missing; recreated it');
    return true;
  }

  /** Every half `claimIdleMs`, takes over jobs of the pool idle for `claimIdleMs`; true if it got some. */
  private async claimIdleJobs(free: number): Promise<boolean> {
    const { store, queue, group, consumer, claimIdleMs } = this.settings;
    if (Date.now() < this.nextClaimAt) return false;
    this.nextClaimAt = Date.now() + Math.max(5, Math.floor(claimIdleMs / 2));
    const claimed = await store.claimIdle(queue, group, consumer, claimIdleMs, free);
    for (const entry of claimed) this.take(entry, entry.deliveries);
    return claimed.length > 0;
  }

  private take(entry: StreamEntry, attempt: number): void {
    // Already in hand: a heartbeat came too late and this worker claimed its own job back.
    if (this.state === 'abandoned' || this.inHand.has(entry.id)) return;
    const processing = this.process(entry, attempt).finally(() => this.inHand.delete(entry.id));
    this.inHand.set(entry.id, processing);
  }

  private async process(entry: StreamEntry, attempt: number): Promise<void> {
    const { queue, group, handler, maxAttempts, logger } = this.settings;
    const decoded = decodeJob(queue, entry, attempt);
    if (!decoded.ok) {
      logger.error({ queue, group, id: entry.id, reason: decoded.error }, 'dropping an unreadable job');
      return this.acknowledge(entry.id);
    }
    const job = decoded.value;
    if (attempt > maxAttempts) {
      return this.giveUp(job, `delivered ${attempt} times without an acknowledgement (did its worker die?)`);
    }
    const parent = jobParentSpan(entry);
    try {
      // In the enqueuer's trace (docs/adr/0019): the handler's log lines and calls carry it.
      await runReceived(parent, () => handler(job));
    } catch (error) {
      if (this.state === 'abandoned') return;
      const reason = error instanceof Error ? error.message : String(error);
      if (attempt >= maxAttempts) return this.giveUp(job, reason);
      logger.warn(
        { err: error, queue, group, id: job.id, type: job.type, attempt, trace_id: parent?.traceId },
        'job failed; it will be retried',
      );
      return;
    }
    if (this.state !== 'abandoned') await this.acknowledge(job.id);
  }

  private async giveUp(job: Job, reason: string): Promise<void> {
    const { queue, group, logger } = this.settings;
    try {
      await this.settings.deadLetter(job, reason);
      await this.acknowledge(job.id);
      logger.error({ queue, group, id: job.id, type: job.type, attempt: job.attempt, reason }, 'job moved to dead letters');
    } catch (error) {
      logger.error({ err: error, queue, group, id: job.id }, 'could not dead-letter a job; it will be redelivered');
    }
  }

  private async acknowledge(id: string): Promise<void> {
    const { store, queue, group, logger } = this.settings;
    try {
      await store.ack(queue, group, [id]);
    } catch (error) {
      logger.error({ err: error, queue, group, id }, 'acknowledging a job failed; it will be redelivered');
    }
  }

  private async keepJobsInHand(): Promise<void> {
    const { store, queue, group, consumer, logger } = this.settings;
    const ids = [...this.inHand.keys()];
    if (ids.length === 0 || this.state === 'abandoned') return;
    try {
      await store.keepClaim(queue, group, consumer, ids);
    } catch (error) {
      logger.warn({ err: error, queue, group, consumer }, 'heartbeat of jobs in hand failed');
    }
  }
}
