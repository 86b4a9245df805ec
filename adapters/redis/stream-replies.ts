import type { ClaimedEntry, PendingEntry, StreamEntry, StreamFields } from '../../core/messaging/streams.js';

/** Why an entry of a reply could not be read; the caller logs it and goes on. */
export interface MalformedEntry {
  readonly id: string | undefined;
  readonly reason: string;
}

export interface ParsedEntries<T extends StreamEntry = StreamEntry> {
  readonly entries: T[];
  readonly malformed: MalformedEntry[];
}

/**
 * `[f1, v1, f2, v2, ...]` as a field map; undefined if it is not that shape. On the hot path of
 * every read: one pass, no intermediate arrays.
 */
export const toFields = (raw: unknown): StreamFields | undefined => {
  if (!Array.isArray(raw) || raw.length % 2 !== 0) return undefined;
  const fields: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name: unknown = raw[i];
    const value: unknown = raw[i + 1];
    if (typeof name !== 'string' || typeof value !== 'string') return undefined;
    fields[name] = value;
  }
  return fields;
};

/** XRANGE / XREAD entries: `[[id, [f, v, ...]], ...]`. Entries without fields (deleted) are reported. */
export const parseEntries = (raw: unknown): ParsedEntries => {
  const entries: StreamEntry[] = [];
  const malformed: MalformedEntry[] = [];
  if (!Array.isArray(raw)) return { entries, malformed };
  for (let i = 0; i < raw.length; i += 1) {
    const item: unknown = raw[i];
    const id: unknown = Array.isArray(item) ? item[0] : undefined;
    const fields = Array.isArray(item) ? toFields(item[1]) : undefined;
    if (typeof id !== 'string' || fields === undefined) {
      malformed.push({ id: typeof id === 'string' ? id : undefined, reason: 'entry without a field list' });
      continue;
    }
    entries.push({ id, fields });
  }
  return { entries, malformed };
};

/** XREAD / XREADGROUP on one stream: `[[stream, entries]]`, or null when nothing came. */
export const parseSingleStreamRead = (raw: unknown): ParsedEntries => {
  if (!Array.isArray(raw) || raw.length === 0) return { entries: [], malformed: [] };
  const first: unknown = raw[0];
  return parseEntries(Array.isArray(first) ? first[1] : undefined);
};

/** Extended XPENDING: `[[id, consumer, idleMs, deliveries], ...]`. */
export const parsePending = (raw: unknown): PendingEntry[] =>
  (Array.isArray(raw) ? raw : []).flatMap((item: unknown) => {
    if (!Array.isArray(item) || item.length < 4) return [];
    const [id, consumer, idleMs, deliveries] = item as unknown[];
    return typeof id === 'string' && typeof consumer === 'string'
      ? [{ id, consumer, idleMs: Number(idleMs), deliveries: Number(deliveries) }]
      : [];
  });

/** The claim script's reply: `[[id, [f, v, ...], deliveries], ...]`. */
export const parseClaimed = (raw: unknown): ParsedEntries<ClaimedEntry> => {
  const entries: ClaimedEntry[] = [];
  const malformed: MalformedEntry[] = [];
  for (const item of Array.isArray(raw) ? raw : []) {
    const [id, rawFields, deliveries] = (Array.isArray(item) ? item : []) as unknown[];
    const fields = toFields(rawFields);
    if (typeof id !== 'string' || fields === undefined) {
      malformed.push({ id: typeof id === 'string' ? id : undefined, reason: 'claimed entry without a field list' });
      continue;
    }
    entries.push({ id, fields, deliveries: Number(deliveries) });
  }
  return { entries, malformed };
};
