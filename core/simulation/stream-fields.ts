import type { StreamFields } from '../messaging/streams.js';
import { METRIC_FIELDS, type MetricSample } from './model/metric-sample.js';

const NANOS_PER_MILLI = '000000';

/**
 * A sample as a `simulation:stream:{id}` entry: every field a decimal string, and `timestamp` in
 * epoch nanoseconds as the specification's producer writes it (`time.Now().UnixNano()`, docs/specification.md#the-simulation-stream).
 */
export const toStreamFields = (sample: MetricSample): StreamFields => {
  const fields: Record<string, string> = {};
  for (const field of METRIC_FIELDS) fields[field] = String(sample[field]);
  fields.timestamp = `${Math.trunc(sample.timestamp)}${NANOS_PER_MILLI}`;
  return fields;
};

/** The sample an entry carries (timestamp back to epoch ms), or undefined when a field is missing or not a number. */
export const fromStreamFields = (fields: StreamFields): MetricSample | undefined => {
  const nanos = fields.timestamp ?? '';
  if (!/^\d{7,}$/.test(nanos)) return undefined;
  // Sliced as text: nanoseconds since the epoch are past 2^53, where a number loses the last digits.
  const values: Record<string, number> = { timestamp: Number(nanos.slice(0, -NANOS_PER_MILLI.length)) };
  for (const field of METRIC_FIELDS) {
    if (field === 'timestamp') continue;
    const raw = fields[field];
    const value = raw === undefined || raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value)) return undefined;
    values[field] = value;
  }
  return values as unknown as MetricSample;
};
