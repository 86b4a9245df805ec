/**
 * Background work (the specification's `async:*:queue` channels, docs/specification.md#work-queues). Unlike Pub/Sub, nothing is lost:
 * a job enqueued while no worker runs waits for one. Delivery is at least once, so handlers must be
 * idempotent (the job id is stable across redeliveries).
 */

export interface Job {
  readonly id: string;
  readonly queue: string;
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly enqueuedAt: number;
  /** The `NewJob.key` it was enqueued with, when any. */
  readonly key?: string;
  /** 1 on the first delivery, then counts up on each redelivery. */
  readonly attempt: number;
}

export interface NewJob {
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /**
   * The same on every enqueue of one job (the outbox entry id, docs/adr/0038), so a worker pool
   * can skip a copy of a job it has already done. Absent: every enqueue is a job of its own.
   */
  readonly key?: string;
}

/** Resolving acknowledges the job; throwing or rejecting schedules a redelivery (or dead-letters it). */
export type JobHandler = (job: Job) => Promise<void>;

export interface WorkerOptions {
  /** Jobs processed at once by this worker. Default 1. */
  readonly concurrency?: number;
  /** Deliveries after which a failing job moves to the queue's dead letters. Default 5. */
  readonly maxAttempts?: number;
}

export interface Worker {
  /** Stops taking jobs, waits for the ones in hand to finish and be acknowledged. */
  stop(): Promise<void>;
}

export interface JobQueue {
  /** Durably records the job and returns its id; resolves only once the job is stored. */
  enqueue(queue: string, job: NewJob): Promise<string>;
  /**
   * Starts a worker in pool `group`: each job goes to one worker of the pool; every pool sees every job.
   * A job whose worker died is redelivered to another worker of the pool.
   */
  work(queue: string, group: string, handler: JobHandler, options?: WorkerOptions): Promise<Worker>;
  /** Jobs that failed `maxAttempts` times, oldest first. */
  deadLetters(queue: string, count?: number): Promise<Job[]>;
}
