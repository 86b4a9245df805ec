import type { DomainEvent } from '../../core/messaging/events.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import { parseTraceparent, TRACEPARENT, type TraceContext } from '../observability/trace-context.js';

/** Default ceiling of one event on the wire; Pub/Sub carries notifications, not documents. */
export const defaultMaxEventBytes = 256 * 1024;

/** An event as received, and the span of its publisher when the envelope named one. */
export interface ReceivedEvent {
  readonly event: DomainEvent;
  readonly parent: TraceContext | undefined;
}

/** The event as JSON; with `traceparent` (the publisher's span, W3C format) as one more top-level field when given. */
export const encodeEvent = (event: DomainEvent, traceparent?: string): string =>
  JSON.stringify(traceparent === undefined ? event : { ...event, [TRACEPARENT]: traceparent });

/**
 * Reads one Pub/Sub message: JSON with a string `type` and a `timestamp` in epoch ms (an ISO
 * string, as other publishers may send, is converted). Anything else is rejected with the reason.
 * A `traceparent` field is taken out of the event (handlers and clients never see it) and read as
 * the publisher's span; an envelope without one, or with an invalid one, is still an event.
 */
export const decodeEvent = (raw: string, maxBytes: number = defaultMaxEventBytes): Result<ReceivedEvent, string> => {
  // A UTF-16 length above the limit is already too many bytes; skip measuring in that case.
  const bytes = raw.length > maxBytes ? raw.length : Buffer.byteLength(raw);
  if (bytes > maxBytes) return err(`payload of ${bytes} bytes exceeds the ${maxBytes}-byte limit`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return err('payload is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return err('payload is not a JSON object');
  const { [TRACEPARENT]: traceparent, ...record } = value as Record<string, unknown>;
  if (typeof record.type !== 'string' || record.type === '') return err('payload has no string `type`');
  const timestamp = toEpochMs(record.timestamp);
  if (timestamp === undefined) return err('payload has no epoch-ms or ISO `timestamp`');
  // `record` is already a copy (the rest of the destructuring): no second one.
  record.timestamp = timestamp;
  return ok({
    event: record as DomainEvent,
    parent: typeof traceparent === 'string' ? parseTraceparent(traceparent) : undefined,
  });
};

const toEpochMs = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
};
