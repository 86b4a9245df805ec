import type { DomainEvent } from './events.js';
import type { StreamFields } from './streams.js';
import type { NewJob } from './work-queue.js';

/**
 * Transactional outbox (docs/adr/0038): what a state change sends is recorded with it, in one
 * transaction of the service's own store, and a relay sends it once the transport can take it.
 * Use cases hand the messages to the repository write they follow; they never publish themselves.
 */

/** One thing to send after a committed state change. */
export type OutboxMessage =
  | { readonly kind: 'event'; readonly channel: string; readonly event: DomainEvent }
  | { readonly kind: 'job'; readonly queue: string; readonly job: NewJob }
  | { readonly kind: 'stream'; readonly stream: string; readonly fields: StreamFields; readonly maxLen?: number };

export const outboxEvent = (channel: string, event: DomainEvent): OutboxMessage => ({ kind: 'event', channel, event });
export const outboxJob = (queue: string, job: NewJob): OutboxMessage => ({ kind: 'job', queue, job });
export const outboxStreamEntry = (stream: string, fields: StreamFields, maxLen?: number): OutboxMessage =>
  maxLen === undefined ? { kind: 'stream', stream, fields } : { kind: 'stream', stream, fields, maxLen };

/** A recorded message waiting for the relay. */
export interface OutboxEntry {
  /** Unique; sent as the event's `event_id` or the job's `key`, so consumers can drop a repeat. */
  readonly id: string;
  /** The entity the state change was about (`project:<id>`): entries of one aggregate are sent in the order recorded. */
  readonly aggregate: string;
  readonly message: OutboxMessage;
  /** Epoch ms of the commit's transaction. */
  readonly recordedAt: number;
  /**
   * The trace of the work that recorded it (a W3C `traceparent`, opaque here), so that what it
   * sends continues the request that caused it (docs/adr/0048); absent when recorded outside a trace.
   */
  readonly context?: string;
}

/**
 * Sends the entries it is handed and resolves the ids of those it sent; an entry left out stays
 * pending. Entries of one batch belong to different aggregates, so they may be sent concurrently.
 */
export type OutboxWork = (entries: readonly OutboxEntry[]) => Promise<readonly string[]>;

/** The relay's side of a service's outbox; the repositories record into it within their own writes. */
export interface OutboxStore {
  /**
   * Hands `work` up to `limit` pending entries, oldest first, at most one per aggregate and only
   * the first pending one of it (so an aggregate's entries go out in the order recorded), held so
   * that no other relay is handed them meanwhile; marks the ids `work` resolves as sent. Resolves
   * how many entries were handed over (0 when none is pending). When `work` rejects nothing is marked.
   */
  relay(limit: number, work: OutboxWork): Promise<number>;
  /** Deletes entries sent before `sentBefore` (epoch ms); resolves how many. */
  pruneSent(sentBefore: number): Promise<number>;
  /** How many entries are not sent yet. */
  pendingCount(): Promise<number>;
  /**
   * Calls `listener` after each commit of this process that recorded entries, so the relay starts
   * at once instead of at its next poll. Returns a function that removes the listener.
   */
  onRecorded(listener: () => void): () => void;
}
