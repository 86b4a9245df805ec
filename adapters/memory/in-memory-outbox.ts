import { randomUUID } from 'node:crypto';
import type { OutboxEntry, OutboxMessage, OutboxStore, OutboxWork } from '../../core/messaging/outbox.js';
import type { Clock } from '../../core/shared/clock.js';
import { currentTraceparent, runDetached } from '../observability/trace-context-scope.js';

interface Stored {
  readonly entry: OutboxEntry;
  sentAt: number | undefined;
  held: boolean;
}

/**
 * The outbox of a service whose state is in memory (docs/adr/0038): the in-memory repositories
 * record into it in the same synchronous step as their change, which is this store's transaction.
 * One process only, like the repositories.
 */
export class InMemoryOutbox implements OutboxStore {
  private readonly entries: Stored[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly clock: Clock = { now: () => Date.now() }) {}

  /** Records `messages` about `aggregate`; call it in the same synchronous step as the change they follow. */
  record(aggregate: string, messages: readonly OutboxMessage[]): void {
    if (messages.length === 0) return;
    const recordedAt = this.clock.now();
    const context = currentTraceparent();
    for (const message of messages) {
      this.entries.push({
        entry: { id: randomUUID(), aggregate, message: structuredClone(message), recordedAt, ...(context !== undefined && { context }) },
        sentAt: undefined,
        held: false,
      });
    }
    // After the caller's synchronous change is done, as a commit hook would, and outside the
    // caller's scope: the relay's round is not part of that request (its entries carry their traces).
    runDetached(() => queueMicrotask(() => this.listeners.forEach((listener) => listener())));
  }

  async relay(limit: number, work: OutboxWork): Promise<number> {
    const seen = new Set<string>();
    const batch: Stored[] = [];
    for (const stored of this.entries) {
      if (batch.length >= limit) break;
      if (stored.sentAt !== undefined || seen.has(stored.entry.aggregate)) continue;
      seen.add(stored.entry.aggregate);
      if (!stored.held) batch.push(stored);
    }
    if (batch.length === 0) return 0;
    batch.forEach((stored) => (stored.held = true));
    try {
      const sent = new Set(await work(batch.map((stored) => stored.entry)));
      const now = this.clock.now();
      for (const stored of batch) if (sent.has(stored.entry.id)) stored.sentAt = now;
    } finally {
      batch.forEach((stored) => (stored.held = false));
    }
    return batch.length;
  }

  async pruneSent(sentBefore: number): Promise<number> {
    const before = this.entries.length;
    const kept = this.entries.filter((stored) => stored.sentAt === undefined || stored.sentAt >= sentBefore);
    this.entries.splice(0, this.entries.length, ...kept);
    return before - kept.length;
  }

  async pendingCount(): Promise<number> {
    return this.entries.filter((stored) => stored.sentAt === undefined).length;
  }

  onRecorded(listener: () => void): () => void {
    const once = () => listener();
    this.listeners.add(once);
    return () => this.listeners.delete(once);
  }
}
