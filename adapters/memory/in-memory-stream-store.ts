import type { Clock } from '../../core/shared/clock.js';
import type {
  AppendOptions,
  ClaimedEntry,
  PendingEntry,
  ReadOptions,
  StreamEntry,
  StreamFields,
  StreamStore,
} from '../../core/messaging/streams.js';
import { specificationRetention, type RetentionPolicy } from '../../core/messaging/stream-retention.js';
import { SystemClock } from '../system/system-clock.js';
import { formatStreamId, MAX_ID, parseStreamId, ZERO_ID } from './in-memory-stream-id.js';
import { InMemoryStreamLog, type ConsumerGroup } from './in-memory-stream-log.js';
import { InMemoryWaitList } from './in-memory-wait-list.js';

/**
 * Redis Streams semantics inside one process (XADD MAXLEN ~, XREAD [BLOCK], XRANGE, XLEN, XGROUP
 * CREATE MKSTREAM, XREADGROUP `>`, XACK, XPENDING, XAUTOCLAIM, XCLAIM JUSTID, DEL). The clock gives
 * entry ids and idle times; blocking waits use real timers and wake on append, without polling.
 * `close()` releases blocked readers with no entries and makes every later call reject. A stream
 * appended to without `maxLen` keeps what `retention` says, as the Redis store does.
 */
export class InMemoryStreamStore implements StreamStore {
  private readonly streams = new Map<string, InMemoryStreamLog>();
  private readonly waitList = new InMemoryWaitList();
  private closed = false;

  constructor(
    private readonly clock: Clock = new SystemClock(),
    private readonly retention: RetentionPolicy = specificationRetention,
  ) {}

  async append(stream: string, fields: StreamFields, options?: AppendOptions): Promise<string> {
    const [id] = await this.appendBatch(stream, [fields], options);
    return id!;
  }

  async appendBatch(stream: string, entries: readonly StreamFields[], options?: AppendOptions): Promise<string[]> {
    this.ensureOpen();
    entries.forEach(checkFields);
    if (options?.maxLen !== undefined && !(Number.isInteger(options.maxLen) && options.maxLen >= 0)) {
      throw new RangeError(`maxLen must be a non-negative integer, got ${options.maxLen}`);
    }
    const log = this.logOf(stream);
    const ids = entries.map((fields) => log.append(fields, this.clock.now()).id);
    const maxLen = options?.maxLen ?? this.retention(stream);
    if (maxLen !== undefined) log.trim(maxLen);
    this.waitList.wake(stream);
    return ids;
  }

  async read(stream: string, afterId: string, options: ReadOptions): Promise<StreamEntry[]> {
    this.ensureOpen();
    const after = afterId === '$' ? (this.streams.get(stream)?.lastId ?? ZERO_ID) : parseStreamId(afterId);
    const poll = (): StreamEntry[] => this.streams.get(stream)?.after(after, options.count) ?? [];
    return this.firstOrWait(stream, options, poll);
  }

  async range(stream: string, fromId: string, toId: string, count = Number.MAX_SAFE_INTEGER): Promise<StreamEntry[]> {
    this.ensureOpen();
    const from = fromId === '-' ? ZERO_ID : parseStreamId(fromId, 'first');
    const to = toId === '+' ? MAX_ID : parseStreamId(toId, 'last');
    return this.streams.get(stream)?.between(from, to, count) ?? [];
  }

  async length(stream: string): Promise<number> {
    this.ensureOpen();
    return this.streams.get(stream)?.length ?? 0;
  }

  async ensureGroup(stream: string, group: string, startId = '$'): Promise<void> {
    this.ensureOpen();
    const log = this.logOf(stream);
    if (log.groups.has(group)) return;
    const lastDelivered = startId === '$' ? log.lastId : parseStreamId(startId);
    log.groups.set(group, { lastDelivered, pending: new Map() });
  }

  async readGroup(stream: string, group: string, consumer: string, options: ReadOptions): Promise<StreamEntry[]> {
    this.ensureOpen();
    const deliverNew = (): StreamEntry[] => {
      const { log, state } = this.groupOf(stream, group, 'XREADGROUP with GROUP option');
      const entries = log.after(state.lastDelivered, options.count);
      const now = this.clock.now();
      for (const entry of entries) {
        const id = parseStreamId(entry.id);
        state.lastDelivered = id;
        state.pending.set(entry.id, { id, consumer, deliveredAt: now, deliveries: 1 });
      }
      return entries;
    };
    return this.firstOrWait(stream, options, deliverNew);
  }

  async ack(stream: string, group: string, ids: readonly string[]): Promise<number> {
    this.ensureOpen();
    const state = this.streams.get(stream)?.groups.get(group);
    if (!state) return 0;
    return ids.filter((id) => state.pending.delete(canonicalId(id))).length;
  }

  async pending(stream: string, group: string, count = Number.MAX_SAFE_INTEGER): Promise<PendingEntry[]> {
    this.ensureOpen();
    const { state } = this.groupOf(stream, group, 'XPENDING');
    const now = this.clock.now();
    return [...state.pending.values()].slice(0, count).map((record) => ({
      id: formatStreamId(record.id),
      consumer: record.consumer,
      idleMs: Math.max(0, now - record.deliveredAt),
      deliveries: record.deliveries,
    }));
  }

  async claimIdle(stream: string, group: string, consumer: string, minIdleMs: number, count: number): Promise<ClaimedEntry[]> {
    this.ensureOpen();
    const { log, state } = this.groupOf(stream, group, 'XAUTOCLAIM');
    const now = this.clock.now();
    const claimed: ClaimedEntry[] = [];
    for (const [key, record] of state.pending) {
      if (claimed.length >= count) break;
      const entry = log.find(record.id);
      if (!entry) {
        // Trimmed away: nothing left to hand over; Redis 7 drops it from the pending list too.
        state.pending.delete(key);
        continue;
      }
      if (now - record.deliveredAt < minIdleMs) continue;
      record.consumer = consumer;
      record.deliveredAt = now;
      record.deliveries += 1;
      claimed.push({ ...entry, deliveries: record.deliveries });
    }
    return claimed;
  }

  /** Ids pending for another consumer (claimed away meanwhile) stay where they are. */
  async keepClaim(stream: string, group: string, consumer: string, ids: readonly string[]): Promise<void> {
    this.ensureOpen();
    const { log, state } = this.groupOf(stream, group, 'XCLAIM');
    const now = this.clock.now();
    for (const id of ids.map(canonicalId)) {
      const record = state.pending.get(id);
      if (record?.consumer !== consumer) continue;
      if (log.find(record.id)) record.deliveredAt = now;
      else state.pending.delete(id);
    }
  }

  async remove(stream: string): Promise<void> {
    this.ensureOpen();
    this.streams.delete(stream);
    // Blocked group readers of the stream learn that their group is gone.
    this.waitList.wake(stream);
  }

  /** Releases every blocked reader (they get no entries); later calls reject. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.waitList.releaseAll();
  }

  private async firstOrWait(stream: string, options: ReadOptions, poll: () => StreamEntry[]): Promise<StreamEntry[]> {
    const entries = poll();
    if (entries.length > 0 || !options.blockMs || options.blockMs <= 0) return entries;
    return this.waitList.wait(stream, options.blockMs, poll);
  }

  private logOf(stream: string): InMemoryStreamLog {
    let log = this.streams.get(stream);
    if (!log) {
      log = new InMemoryStreamLog();
      this.streams.set(stream, log);
    }
    return log;
  }

  private groupOf(stream: string, group: string, command: string): { log: InMemoryStreamLog; state: ConsumerGroup } {
    const log = this.streams.get(stream);
    const state = log?.groups.get(group);
    if (!log || !state) throw new Error(`NOGROUP No such key '${stream}' or consumer group '${group}' in ${command}`);
    return { log, state };
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('InMemoryStreamStore is closed');
  }
}

function checkFields(fields: StreamFields): void {
  const values = Object.values(fields);
  if (values.length === 0) throw new TypeError('A stream entry needs at least one field');
  if (values.some((value) => typeof value !== 'string')) throw new TypeError('Stream field values must be strings');
}

const canonicalId = (id: string): string => formatStreamId(parseStreamId(id));
