import type { Job, NewJob } from '../../core/messaging/work-queue.js';
import type { StreamEntry, StreamFields } from '../../core/messaging/streams.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import { parseTraceparent, TRACEPARENT, type TraceContext } from '../observability/trace-context.js';

/** Where the jobs of `queue` go after failing `maxAttempts` times. */
export const deadLetterStream = (queue: string): string => `${queue}:dead`;

/**
 * A job as a stream entry; its id will be the entry id. Throws on a job JSON cannot carry.
 * `traceparent` (the enqueuer's span) rides as one more field, which older workers ignore.
 */
export function encodeJob(queue: string, job: NewJob, enqueuedAt: number, traceparent?: string): StreamFields {
  if (typeof job.type !== 'string' || job.type === '') throw new TypeError(`A job of ${queue} needs a type`);
  const fields: Record<string, string> = { type: job.type, payload: payloadJson(queue, job.payload), enqueuedAt: String(enqueuedAt) };
  if (job.key !== undefined) fields.key = job.key;
  return traceparent === undefined ? fields : { ...fields, [TRACEPARENT]: traceparent };
}

/** The span that enqueued the job of `entry`; undefined for a job enqueued outside a trace (or with an invalid one). */
export const jobParentSpan = (entry: StreamEntry): TraceContext | undefined => parseTraceparent(entry.fields[TRACEPARENT]);

export function decodeJob(queue: string, entry: StreamEntry, attempt: number): Result<Job, string> {
  const { type, payload, enqueuedAt, key } = entry.fields;
  if (!type) return err('no type');
  const parsedPayload = parsePayload(payload);
  if (!parsedPayload) return err('payload is not a JSON object');
  const enqueuedAtMs = Number(enqueuedAt);
  if (!Number.isFinite(enqueuedAtMs)) return err('enqueuedAt is not a number');
  return ok({ id: entry.id, queue, type, payload: parsedPayload, enqueuedAt: enqueuedAtMs, attempt, ...(key ? { key } : {}) });
}

/** A dead letter keeps the job as it was last delivered, with who gave up on it and why. */
export function encodeDeadLetter(job: Job, group: string, reason: string, failedAt: number): StreamFields {
  return {
    ...(job.key === undefined ? {} : { key: job.key }),
    jobId: job.id,
    type: job.type,
    payload: JSON.stringify(job.payload),
    enqueuedAt: String(job.enqueuedAt),
    attempt: String(job.attempt),
    group,
    reason,
    failedAt: String(failedAt),
  };
}

export function decodeDeadLetter(queue: string, entry: StreamEntry): Job | undefined {
  const { jobId, attempt } = entry.fields;
  const decoded = decodeJob(queue, { id: jobId ?? entry.id, fields: entry.fields }, Number(attempt));
  return decoded.ok ? decoded.value : undefined;
}

function payloadJson(queue: string, payload: NewJob['payload']): string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TypeError(`The payload of a job of ${queue} must be a JSON object`);
  }
  try {
    return JSON.stringify(payload);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`The payload of a job of ${queue} is not JSON-serialisable: ${reason}`, { cause: error });
  }
}

function parsePayload(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
