import type { StreamEntry, StreamFields } from '../../core/messaging/streams.js';
import { compareStreamIds, formatStreamId, nextStreamId, ZERO_ID, type StreamId } from './in-memory-stream-id.js';

export interface StoredEntry {
  readonly id: StreamId;
  readonly entry: StreamEntry;
}

/** One entry of a group's pending entries list (PEL). */
export interface PendingRecord {
  readonly id: StreamId;
  consumer: string;
  /** Clock time of the last delivery or claim; idle time counts from here. */
  deliveredAt: number;
  deliveries: number;
}

export interface ConsumerGroup {
  lastDelivered: StreamId;
  /** Keyed by id text. Entries only join in id order (`'>'` reads), so iteration is oldest first. */
  readonly pending: Map<string, PendingRecord>;
}

/**
 * The entries and groups of one stream, oldest first. Trimming advances `head` instead of
 * shifting the array, and compacts now and then, so a capped stream appends in O(1) amortised.
 */
export class InMemoryStreamLog {
  lastId: StreamId = ZERO_ID;
  readonly groups = new Map<string, ConsumerGroup>();
  private entries: StoredEntry[] = [];
  private head = 0;

  get length(): number {
    return this.entries.length - this.head;
  }

  append(fields: StreamFields, nowMs: number): StreamEntry {
    const id = nextStreamId(this.lastId, nowMs);
    this.lastId = id;
    const entry: StreamEntry = { id: formatStreamId(id), fields: Object.freeze({ ...fields }) };
    this.entries.push({ id, entry });
    return entry;
  }

  /** Keeps the `maxLen` newest entries: exact, which MAXLEN ~ allows. */
  trim(maxLen: number): void {
    const excess = this.length - maxLen;
    if (excess <= 0) return;
    this.head += excess;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Up to `count` entries with an id greater than `id`. */
  after(id: StreamId, count: number): StreamEntry[] {
    const start = this.firstIndex((candidate) => compareStreamIds(candidate, id) > 0);
    return this.entries.slice(start, start + count).map((stored) => stored.entry);
  }

  /** Up to `count` entries with `from <= id <= to`. */
  between(from: StreamId, to: StreamId, count: number): StreamEntry[] {
    const found: StreamEntry[] = [];
    for (let index = this.firstIndex((candidate) => compareStreamIds(candidate, from) >= 0); index < this.entries.length; index++) {
      const stored = this.entries[index]!;
      if (found.length >= count || compareStreamIds(stored.id, to) > 0) break;
      found.push(stored.entry);
    }
    return found;
  }

  find(id: StreamId): StreamEntry | undefined {
    const stored = this.entries[this.firstIndex((candidate) => compareStreamIds(candidate, id) >= 0)];
    return stored && compareStreamIds(stored.id, id) === 0 ? stored.entry : undefined;
  }

  /** Binary search over the kept entries for the first one whose id satisfies a monotone predicate. */
  private firstIndex(isAtOrPast: (id: StreamId) => boolean): number {
    let low = this.head;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isAtOrPast(this.entries[middle]!.id)) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
