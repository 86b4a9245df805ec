import type { DomainEvent } from '../../core/messaging/events.js';
import { err, ok, type Result } from '../../core/shared/result.js';

/** Default ceiling of one event on the wire; Pub/Sub carries notifications, not documents. */
export const defaultMaxEventBytes = 256 * 1024;

export const encodeEvent = (event: DomainEvent): string => JSON.stringify(event);

/**
 * Reads one Pub/Sub message: JSON with a string `type` and a `timestamp` in epoch ms (an ISO
 * string, as other publishers may send, is converted). Anything else is rejected with the reason.
 */
export const decodeEvent = (raw: string, maxBytes: number = defaultMaxEventBytes): Result<DomainEvent, string> => {
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
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string' || record.type === '') return err('payload has no string `type`');
  const timestamp = toEpochMs(record.timestamp);
  if (timestamp === undefined) return err('payload has no epoch-ms or ISO `timestamp`');
  return ok({ ...record, type: record.type, timestamp });
};

const toEpochMs = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
};
