/**
 * Layer 3, Streams: persistent, ordered, replayable logs (Redis Streams semantics). Entries are
 * flat string maps; ids are `<ms>-<seq>` and strictly increase within a stream.
 */

export type StreamFields = Readonly<Record<string, string>>;

export interface StreamEntry {
  readonly id: string;
  readonly fields: StreamFields;
}

export interface AppendOptions {
  /** Keep about this many newest entries (MAXLEN ~): trimming may leave a few more, never fewer. */
  readonly maxLen?: number;
}

export interface StreamProducer {
  /** Appends one entry and returns its id. */
  append(stream: string, fields: StreamFields, options?: AppendOptions): Promise<string>;
  /** Appends entries in order in one round trip; returns their ids in the same order. */
  appendBatch(stream: string, entries: readonly StreamFields[], options?: AppendOptions): Promise<string[]>;
}

export interface ReadOptions {
  /** At most this many entries. */
  readonly count: number;
  /** Wait up to this long for an entry when none is there yet; 0 or absent returns at once. */
  readonly blockMs?: number;
}

/** Fan-out reading: every reader sees every entry, and keeps its own position. */
export interface StreamReader {
  /**
   * Entries with an id greater than `afterId`, oldest first. `afterId` `'0'` reads from the start;
   * `'$'` means "only entries appended after this call".
   */
  read(stream: string, afterId: string, options: ReadOptions): Promise<StreamEntry[]>;
  /** Entries between two ids inclusive (`'-'` and `'+'` are the ends), oldest first. */
  range(stream: string, fromId: string, toId: string, count?: number): Promise<StreamEntry[]>;
  /** Number of entries currently kept. 0 for a missing stream. */
  length(stream: string): Promise<number>;
}

export interface PendingEntry {
  readonly id: string;
  readonly consumer: string;
  readonly idleMs: number;
  /** How many times the entry has been delivered (1 after the first read). */
  readonly deliveries: number;
}

export interface ClaimedEntry extends StreamEntry {
  readonly deliveries: number;
}

/**
 * Consumer groups: each entry goes to one consumer of the group and stays pending until acked, so
 * a crashed consumer's entries can be claimed by another (at-least-once).
 */
export interface StreamGroupConsumer {
  /** Creates the group (and the stream if missing) starting after `startId` (`'$'` new only, `'0'` all; default `'$'`). Idempotent. */
  ensureGroup(stream: string, group: string, startId?: string): Promise<void>;
  /** Entries never delivered to this group, handed to `consumer` and marked pending. */
  readGroup(stream: string, group: string, consumer: string, options: ReadOptions): Promise<StreamEntry[]>;
  /** Marks entries processed; returns how many were pending. Acking twice is harmless. */
  ack(stream: string, group: string, ids: readonly string[]): Promise<number>;
  /** Pending entries of the group, oldest first. */
  pending(stream: string, group: string, count?: number): Promise<PendingEntry[]>;
  /**
   * Moves pending entries idle for at least `minIdleMs` to `consumer`, incrementing their delivery
   * count (XAUTOCLAIM). Entries deleted by trimming meanwhile are dropped from the pending list.
   */
  claimIdle(stream: string, group: string, consumer: string, minIdleMs: number, count: number): Promise<ClaimedEntry[]>;
  /**
   * Resets the idle time of `consumer`'s own pending entries without redelivering them (XCLAIM JUSTID).
   * Ids pending for another consumer are left as they are.
   */
  keepClaim(stream: string, group: string, consumer: string, ids: readonly string[]): Promise<void>;
}

export interface StreamStore extends StreamProducer, StreamReader, StreamGroupConsumer {
  /** Deletes the whole stream with its groups. */
  remove(stream: string): Promise<void>;
}
