import type {
  AppendOptions,
  ClaimedEntry,
  PendingEntry,
  ReadOptions,
  StreamEntry,
  StreamFields,
  StreamStore,
} from '../../../core/messaging/streams.js';
import type { MessagingMetrics } from './messaging-metrics.js';

/**
 * A StreamStore that counts what goes through another one: entries appended, entries read (by
 * `read`, `readGroup` and claims) with their latency from the time in their id (`<ms>-<seq>`, the
 * server's clock at append), and failed appends and reads. Behaviour is the wrapped store's.
 */
export class InstrumentedStreamStore implements StreamStore {
  constructor(
    private readonly inner: StreamStore,
    private readonly metrics: MessagingMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  async append(stream: string, fields: StreamFields, options?: AppendOptions): Promise<string> {
    const id = await this.failing(stream, 'publish', this.inner.append(stream, fields, options));
    this.metrics.published(stream, 'stream');
    return id;
  }

  async appendBatch(stream: string, entries: readonly StreamFields[], options?: AppendOptions): Promise<string[]> {
    const ids = await this.failing(stream, 'publish', this.inner.appendBatch(stream, entries, options));
    this.metrics.published(stream, 'stream', ids.length);
    return ids;
  }

  async read(stream: string, afterId: string, options: ReadOptions): Promise<StreamEntry[]> {
    return this.delivered(stream, await this.failing(stream, 'read', this.inner.read(stream, afterId, options)));
  }

  async readGroup(stream: string, group: string, consumer: string, options: ReadOptions): Promise<StreamEntry[]> {
    return this.delivered(stream, await this.failing(stream, 'read', this.inner.readGroup(stream, group, consumer, options)));
  }

  async claimIdle(stream: string, group: string, consumer: string, minIdleMs: number, count: number): Promise<ClaimedEntry[]> {
    return this.delivered(stream, await this.failing(stream, 'read', this.inner.claimIdle(stream, group, consumer, minIdleMs, count)));
  }

  range(stream: string, fromId: string, toId: string, count?: number): Promise<StreamEntry[]> {
    return this.inner.range(stream, fromId, toId, count);
  }

  length(stream: string): Promise<number> {
    return this.inner.length(stream);
  }

  ensureGroup(stream: string, group: string, startId?: string): Promise<void> {
    return this.inner.ensureGroup(stream, group, startId);
  }

  ack(stream: string, group: string, ids: readonly string[]): Promise<number> {
    return this.inner.ack(stream, group, ids);
  }

  pending(stream: string, group: string, count?: number): Promise<PendingEntry[]> {
    return this.inner.pending(stream, group, count);
  }

  keepClaim(stream: string, group: string, consumer: string, ids: readonly string[]): Promise<void> {
    return this.inner.keepClaim(stream, group, consumer, ids);
  }

  remove(stream: string): Promise<void> {
    return this.inner.remove(stream);
  }

  private delivered<E extends StreamEntry>(stream: string, entries: E[]): E[] {
    if (entries.length === 0) return entries;
    const now = this.now();
    // parseInt stops at the '-' of `<ms>-<seq>`.
    for (const entry of entries) this.metrics.delivered(stream, 'stream', now - Number.parseInt(entry.id, 10));
    return entries;
  }

  private async failing<T>(stream: string, stage: 'publish' | 'read', call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      this.metrics.failed(stream, 'stream', stage);
      throw error;
    }
  }
}
