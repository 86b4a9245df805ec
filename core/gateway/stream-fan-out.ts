import type { StreamEntry, StreamReader } from '../messaging/streams.js';
import type { Clock } from '../shared/clock.js';
import { compareEntryIds } from '../messaging/stream-ids.js';

/** Receives a stream's entries, batch by batch, in stream order. */
export interface StreamTap {
  onEntries(entries: readonly StreamEntry[]): void;
  /** The stream was finished (`finish`): nothing more will come. */
  onEnd?(): void;
}

export interface StreamFanOutDeps {
  readonly streams: StreamReader;
  /** The clock entry ids are compared with: a reader starts at the id of "now" (see `startBackMs`). */
  readonly clock: Clock;
  /** Resolves after `ms`: the pause after a failed read. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Faults nobody awaits (a failed read, a throwing tap); production logs them. */
  readonly reportFault: (error: unknown, context: string) => void;
}

export interface StreamFanOutOptions {
  /** Entries per read (XREAD COUNT). Default 100. */
  readonly batchSize?: number;
  /** How long one read waits for new entries (XREAD BLOCK). Default 100 ms. */
  readonly blockMs?: number;
  /** Pause after a failed read. Default 500 ms. */
  readonly retryDelayMs?: number;
  /** Finished streams remembered, so a late follower ends at once instead of waiting forever. Default 1 000. */
  readonly rememberFinished?: number;
  /**
   * A new reader starts at the id of "now" minus this, so entries appended as the first tap
   * joins are never missed when the store's clock (Redis's) lags this one by up to this much;
   * the price is replaying up to this much of the stream's most recent past. Default 1 000 ms.
   */
  readonly startBackMs?: number;
}

export interface FollowOptions {
  /** The id of the last entry the tap's client saw: it gets every later entry the stream still holds first. */
  readonly after?: string;
  /** With `after`: the stream gets no more entries (its producer ended), so the tap ends once caught up. */
  readonly finished?: boolean;
}

type FeedState = 'running' | 'finishing' | 'stopped';

interface Feed {
  readonly stream: string;
  readonly taps: Set<StreamTap>;
  /** Id of the last entry read, or where reading starts. */
  position: string;
  state: FeedState;
  done: Promise<void>;
}

/** The last possible id before millisecond `ms` (reads are exclusive of their start id). */
const idBefore = (ms: number): string => (ms <= 0 ? '0' : `${ms - 1}-${Number.MAX_SAFE_INTEGER}`);

// Read through a function: the loop awaits, and the state changes meanwhile (TypeScript keeps the narrowing).
const stateOf = (feed: Feed): FeedState => feed.state;

/** Entries per read while a resumed tap catches up. */
const CATCH_UP_BATCH = 500;

/** Reads left to drain a finished stream: bounds the drain of a stream still being written. */
const MAX_DRAIN_READS = 100;

/**
 * Plain fan-out reading (XREAD, no consumer group): ONE read loop per stream for every tap of this
 * process, started by the first tap and stopped when the last one leaves, so every instance of a
 * service sees every entry and N local watchers cost one reader. Reading starts at the first tap
 * ("now", less `startBackMs`) and never leaves a gap. See the gateway ADR on stream fan-out.
 */
export class StreamFanOut {
  private readonly feeds = new Map<string, Feed>();
  private readonly finished = new Set<string>();
  private readonly batchSize: number;
  private readonly blockMs: number;
  private readonly retryDelayMs: number;
  private readonly rememberFinished: number;
  private readonly startBackMs: number;

  constructor(
    private readonly deps: StreamFanOutDeps,
    options: StreamFanOutOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.blockMs = options.blockMs ?? 100;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.rememberFinished = options.rememberFinished ?? 1_000;
    this.startBackMs = options.startBackMs ?? 1_000;
  }

  /** Streams being read now. */
  get readers(): readonly string[] {
    return [...this.feeds.keys()];
  }

  /**
   * Starts delivering `stream` to `tap`; returns the function that stops it. A finished stream ends
   * the tap at once. With `after` (an entry id a client saw last), the tap first gets every entry
   * after it that the stream still holds, then the live ones: in order, each once (docs/adr/0051).
   */
  follow(stream: string, tap: StreamTap, options: FollowOptions = {}): () => void {
    if (options.after !== undefined) return this.resume(stream, tap, options.after, options.finished ?? false);
    if (this.finished.has(stream)) {
      this.safely(() => tap.onEnd?.(), stream);
      return () => {};
    }
    const feed = this.feeds.get(stream) ?? this.start(stream);
    feed.taps.add(tap);
    return () => {
      feed.taps.delete(tap);
      if (feed.taps.size === 0 && feed.state === 'running') this.stop(feed);
    };
  }

  /**
   * The stream will get no more entries: delivers what is left, ends every tap, stops reading,
   * and ends later followers at once.
   */
  async finish(stream: string): Promise<void> {
    this.remember(stream);
    const feed = this.feeds.get(stream);
    if (!feed || feed.state !== 'running') return;
    feed.state = 'finishing';
    await feed.done;
  }

  /** Stops every loop (taps are not ended) and waits for them. */
  async close(): Promise<void> {
    const feeds = [...this.feeds.values()];
    for (const feed of feeds) this.stop(feed);
    await Promise.all(feeds.map((feed) => feed.done));
  }

  /**
   * The tap joins the live feed at once but holds its batches while a catch-up reads from `after`
   * to the end of the stream; then the held batches follow, less what the catch-up delivered. Ids
   * strictly increase, so "after the last id delivered" is both gapless and free of repeats.
   */
  private resume(stream: string, tap: StreamTap, after: string, knownFinished: boolean): () => void {
    let last = after;
    let caughtUp = false;
    let ended = false;
    let stopped = false;
    const held: StreamEntry[] = [];
    const deliver = (entries: readonly StreamEntry[]): void => {
      const fresh = entries.filter((entry) => compareEntryIds(entry.id, last) > 0);
      const newest = fresh.at(-1);
      if (!newest) return;
      last = newest.id;
      this.safely(() => tap.onEntries(fresh), stream);
    };
    const end = (): void => this.safely(() => tap.onEnd?.(), stream);
    const finished = knownFinished || this.finished.has(stream);
    const unfollow = finished
      ? () => {}
      : this.follow(stream, {
          onEntries: (entries) => (caughtUp ? deliver(entries) : held.push(...entries)),
          onEnd: () => (caughtUp ? end() : (ended = true)),
        });
    // Done once the stream's end is reached, or once the catch-up met what the live feed holds.
    const reachedLive = (): boolean => held.length > 0 && compareEntryIds(last, held[0]!.id) >= 0;
    void this.catchUp(
      stream,
      () => last,
      deliver,
      () => stopped || reachedLive(),
    ).then(() => {
      if (stopped) return;
      caughtUp = true;
      deliver(held.splice(0));
      if (ended || finished) end();
    });
    return () => {
      stopped = true;
      unfollow();
    };
  }

  private async catchUp(
    stream: string,
    position: () => string,
    deliver: (entries: readonly StreamEntry[]) => void,
    stopped: () => boolean,
  ): Promise<void> {
    while (!stopped()) {
      try {
        const entries = await this.deps.streams.read(stream, position(), { count: CATCH_UP_BATCH });
        if (stopped() || entries.length === 0) return;
        deliver(entries);
      } catch (error) {
        if (stopped()) return;
        this.deps.reportFault(error, `catching up on ${stream}`);
        await this.deps.sleep(this.retryDelayMs);
      }
    }
  }

  private start(stream: string): Feed {
    // Not `$`: a blocking read from `$` that times out leaves a gap before the next one, and the
    // first one reaches the store only later; an explicit id leaves none (see the gateway ADR).
    const startMs = Math.floor(this.deps.clock.now() - this.startBackMs);
    const feed: Feed = { stream, taps: new Set(), position: idBefore(startMs), state: 'running', done: Promise.resolve() };
    this.feeds.set(stream, feed);
    feed.done = this.run(feed);
    return feed;
  }

  private stop(feed: Feed): void {
    feed.state = 'stopped';
    if (this.feeds.get(feed.stream) === feed) this.feeds.delete(feed.stream);
  }

  private async run(feed: Feed): Promise<void> {
    while (feed.state === 'running') {
      try {
        const entries = await this.deps.streams.read(feed.stream, feed.position, { count: this.batchSize, blockMs: this.blockMs });
        if (stateOf(feed) !== 'stopped') this.dispatch(feed, entries);
      } catch (error) {
        if (stateOf(feed) !== 'running') break;
        this.deps.reportFault(error, `reading ${feed.stream}`);
        await this.deps.sleep(this.retryDelayMs);
      }
    }
    if (stateOf(feed) === 'finishing') await this.drain(feed);
  }

  private async drain(feed: Feed): Promise<void> {
    try {
      for (let reads = 0; reads < MAX_DRAIN_READS; reads += 1) {
        const entries = await this.deps.streams.read(feed.stream, feed.position, { count: this.batchSize });
        if (entries.length === 0) break;
        this.dispatch(feed, entries);
      }
    } catch (error) {
      this.deps.reportFault(error, `draining ${feed.stream}`);
    }
    this.stop(feed);
    for (const tap of feed.taps) this.safely(() => tap.onEnd?.(), feed.stream);
  }

  private dispatch(feed: Feed, entries: readonly StreamEntry[]): void {
    const last = entries.at(-1);
    if (!last) return;
    feed.position = last.id;
    for (const tap of [...feed.taps]) this.safely(() => tap.onEntries(entries), feed.stream);
  }

  private remember(stream: string): void {
    this.finished.delete(stream);
    this.finished.add(stream);
    if (this.finished.size > this.rememberFinished) {
      const oldest = this.finished.values().next().value;
      if (oldest !== undefined) this.finished.delete(oldest);
    }
  }

  private safely(action: () => void, stream: string): void {
    try {
      action();
    } catch (error) {
      this.deps.reportFault(error, `delivering ${stream}`);
    }
  }
}
