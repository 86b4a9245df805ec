import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../../core/shared/clock.js';
import type { StreamStore } from '../../core/messaging/streams.js';
import type { Job, JobHandler, JobQueue, NewJob, Worker, WorkerOptions } from '../../core/messaging/work-queue.js';
import type { Logger } from '../observability/logger.js';
import { outgoingTraceparent } from '../observability/trace-context-scope.js';
import { endProducerSpan, startProducerSpan } from '../observability/tracing/messaging-spans.js';
import type { MessagingSystem } from '../observability/tracing/semantic-attributes.js';
import { traceparentOfSpan } from '../observability/tracing/spans.js';
import { deadLetterStream, decodeDeadLetter, encodeDeadLetter, encodeJob } from './stream-job-codec.js';
import { StreamJobWorker } from './stream-job-worker.js';

export const DEFAULT_JOB_CLAIM_IDLE_MS = 30_000;
export const DEFAULT_JOB_MAX_ATTEMPTS = 5;

export interface StreamJobQueueOptions {
  /**
   * A job in hand whose worker stopped sending heartbeats for this long goes to another worker of
   * its pool; it is also the delay before a failed job is retried. Default 30 000 ms.
   */
  readonly claimIdleMs?: number;
  /** Default of `WorkerOptions.maxAttempts`. Default 5. */
  readonly maxAttempts?: number;
  /** How long a worker's read waits for new jobs, so also how long `stop()` may wait for an idle worker. Default 1 000 ms. */
  readonly blockMs?: number;
  /**
   * MAXLEN ~ of a queue stream. Default: no trimming, because MAXLEN cannot tell acknowledged jobs
   * from waiting ones and a backlog longer than the limit would lose its oldest jobs. Acknowledged
   * jobs stay in the stream until the cleanup job removes them.
   */
  readonly retainedJobs?: number;
  /** MAXLEN ~ of a dead-letter stream. Default 10 000. */
  readonly retainedDeadLetters?: number;
  /** What the stream store runs on, as producer spans name it (docs/adr/0048). Default `redis`. */
  readonly messagingSystem?: MessagingSystem;
}

/**
 * JobQueue on any StreamStore: the queue is a stream named as the queue, each worker pool a
 * consumer group of it (created at `'0'`, so jobs enqueued before the pool's first worker wait for
 * it), each worker a consumer. The job id is the entry id. Dead letters go to `<queue>:dead`.
 */
export class StreamJobQueue implements JobQueue {
  private readonly workers = new Set<StreamJobWorker>();
  private readonly claimIdleMs: number;
  private readonly maxAttempts: number;
  private readonly blockMs: number;
  private readonly retainedJobs: number | undefined;
  private readonly retainedDeadLetters: number;
  private readonly messagingSystem: MessagingSystem;

  constructor(
    private readonly store: StreamStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: StreamJobQueueOptions = {},
  ) {
    this.claimIdleMs = positiveInteger('claimIdleMs', options.claimIdleMs ?? DEFAULT_JOB_CLAIM_IDLE_MS);
    this.maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? DEFAULT_JOB_MAX_ATTEMPTS);
    this.blockMs = positiveInteger('blockMs', options.blockMs ?? 1_000);
    this.retainedJobs = options.retainedJobs === undefined ? undefined : positiveInteger('retainedJobs', options.retainedJobs);
    this.retainedDeadLetters = positiveInteger('retainedDeadLetters', options.retainedDeadLetters ?? 10_000);
    this.messagingSystem = options.messagingSystem ?? 'redis';
  }

  async enqueue(queue: string, job: NewJob): Promise<string> {
    // A producer span when the work records spans (docs/adr/0048); its id is the job's traceparent.
    const span = startProducerSpan(this.messagingSystem, 'enqueue', queue, job.key);
    let fields;
    try {
      fields = encodeJob(queue, job, this.clock.now(), span ? traceparentOfSpan(span) : outgoingTraceparent());
    } catch (error) {
      span?.end();
      throw error;
    }
    return endProducerSpan(span, this.store.append(queue, fields, this.retainedJobs === undefined ? {} : { maxLen: this.retainedJobs }));
  }

  async work(queue: string, group: string, handler: JobHandler, options: WorkerOptions = {}): Promise<Worker> {
    const concurrency = positiveInteger('concurrency', options.concurrency ?? 1);
    const maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? this.maxAttempts);
    await this.store.ensureGroup(queue, group, '0');
    const worker = new StreamJobWorker(
      {
        store: this.store,
        queue,
        group,
        consumer: `${group}:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
        handler,
        concurrency,
        maxAttempts,
        claimIdleMs: this.claimIdleMs,
        blockMs: this.blockMs,
        logger: this.logger,
        deadLetter: (job, reason) => this.deadLetter(job, group, reason),
      },
      (ended) => this.workers.delete(ended),
    );
    this.workers.add(worker);
    worker.start();
    return worker;
  }

  async deadLetters(queue: string, count = 100): Promise<Job[]> {
    const entries = await this.store.range(deadLetterStream(queue), '-', '+', count);
    return entries.flatMap((entry) => decodeDeadLetter(queue, entry) ?? []);
  }

  /**
   * Drops every worker at once, as a process exit would: their jobs in hand stay unacknowledged
   * and go to other workers of their pools after `claimIdleMs`. For a graceful shutdown, `stop()`
   * the workers first. The store stays open: it belongs to the caller.
   */
  async close(): Promise<void> {
    for (const worker of [...this.workers]) worker.abandon();
  }

  private async deadLetter(job: Job, group: string, reason: string): Promise<void> {
    const fields = encodeDeadLetter(job, group, reason, this.clock.now());
    await this.store.append(deadLetterStream(job.queue), fields, { maxLen: this.retainedDeadLetters });
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
