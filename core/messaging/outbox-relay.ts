import type { Clock } from '../shared/clock.js';
import type { EventPublisher } from './events.js';
import type { OutboxEntry, OutboxStore } from './outbox.js';
import type { StreamProducer } from './streams.js';
import type { JobQueue } from './work-queue.js';

export interface OutboxRelaySettings {
  /** Entries handed over per round. */
  readonly batchSize: number;
  /** First wait after a failed send; doubles on each further failure up to `maxBackoffMs`. */
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** A round also starts this often without a wake-up: entries recorded by another process, or left by one that died. */
  readonly pollMs: number;
  /** Sent entries are deleted once this old. */
  readonly keepSentMs: number;
}

export const defaultOutboxRelaySettings: OutboxRelaySettings = {
  batchSize: 100,
  minBackoffMs: 100,
  maxBackoffMs: 5_000,
  pollMs: 2_000,
  keepSentMs: 60 * 60 * 1000,
};

export interface OutboxRelayDeps {
  readonly outbox: OutboxStore;
  readonly events: EventPublisher;
  readonly jobs: JobQueue;
  readonly streams: StreamProducer;
  readonly clock: Clock;
  /** Told of each failed round (a send the transport refused); the relay retries by itself. */
  readonly onSendFailure: (error: unknown, pending: number) => void;
  /**
   * Runs the send of an entry in the context it was recorded in (`OutboxEntry.context`): its
   * trace, so the message carries it (docs/adr/0048). Absent: sends run in the relay's own context.
   */
  readonly inRecordedContext?: (context: string | undefined, send: () => Promise<void>) => Promise<void>;
}

/** Sends one entry: the event with `event_id`, the job with `key`, both the entry's id. */
export const sendOutboxEntry = async (deps: Pick<OutboxRelayDeps, 'events' | 'jobs' | 'streams'>, entry: OutboxEntry): Promise<void> => {
  const { message } = entry;
  switch (message.kind) {
    case 'event':
      return deps.events.publish(message.channel, { ...message.event, event_id: entry.id });
    case 'job':
      await deps.jobs.enqueue(message.queue, { ...message.job, key: entry.id });
      return;
    case 'stream':
      await deps.streams.append(message.stream, message.fields, message.maxLen === undefined ? {} : { maxLen: message.maxLen });
      return;
  }
};

/**
 * Sends what the service's outbox holds (docs/adr/0038): a round runs right after a commit that
 * recorded entries (`wake`), every `pollMs`, and after a failure with a doubling backoff. Rounds
 * never overlap within a process; across processes the store keeps relays apart. At least once:
 * an entry sent but not yet marked when the process dies is sent again by the next round.
 */
export class OutboxRelay {
  private readonly settings: OutboxRelaySettings;
  private running: Promise<void> | undefined;
  private again = false;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private poller: ReturnType<typeof setInterval> | undefined;
  private unlisten: (() => void) | undefined;
  private stopped = true;
  private lastPrune = 0;

  constructor(
    private readonly deps: OutboxRelayDeps,
    settings: Partial<OutboxRelaySettings> = {},
  ) {
    this.settings = { ...defaultOutboxRelaySettings, ...settings };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unlisten = this.deps.outbox.onRecorded(() => this.wake());
    this.poller = setInterval(() => this.wake(), this.settings.pollMs);
    this.poller.unref?.();
    this.wake();
  }

  /** Starts a round now, or right after the one running. */
  wake(): void {
    if (this.stopped || this.timer !== undefined) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.rounds().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once nothing is pending or a send failed (the backoff then retries). For tests and shutdown. */
  async drain(): Promise<void> {
    this.wake();
    while (this.running) await this.running;
  }

  /** Stops waking; waits for the round in progress, whose sends are marked. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    clearInterval(this.poller);
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
  }

  private async rounds(): Promise<void> {
    for (;;) {
      this.again = false;
      const failed = await this.round();
      if (failed !== undefined) {
        this.backOff(failed.error);
        return;
      }
      this.failures = 0;
      if (this.again || this.stopped) {
        if (this.stopped) return;
        continue;
      }
      await this.pruneNowAndThen();
      // A wake-up during the prune is not lost.
      if (!this.again || this.stopped) return;
    }
  }

  /** One round; resolves the failure when a send (or the store) failed. */
  private async round(): Promise<{ readonly error: unknown } | undefined> {
    let failed: { readonly error: unknown } | undefined;
    try {
      const handed = await this.deps.outbox.relay(this.settings.batchSize, async (entries) => {
        const { inRecordedContext } = this.deps;
        const send = (entry: OutboxEntry) =>
          inRecordedContext ? inRecordedContext(entry.context, () => sendOutboxEntry(this.deps, entry)) : sendOutboxEntry(this.deps, entry);
        const sends = await Promise.allSettled(entries.map(send));
        const rejected = sends.find((send): send is PromiseRejectedResult => send.status === 'rejected');
        if (rejected) failed = { error: rejected.reason };
        return entries.filter((_, index) => sends[index]!.status === 'fulfilled').map((entry) => entry.id);
      });
      // A round hands over one entry per aggregate: whatever it sent may have a follower waiting.
      if (handed > 0 && failed === undefined) this.again = true;
    } catch (error) {
      failed = { error };
    }
    return failed;
  }

  private backOff(error: unknown): void {
    this.failures += 1;
    const delay = Math.min(this.settings.maxBackoffMs, this.settings.minBackoffMs * 2 ** Math.min(this.failures - 1, 20));
    void this.deps.outbox.pendingCount().then(
      (pending) => this.deps.onSendFailure(error, pending),
      () => this.deps.onSendFailure(error, -1),
    );
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, delay);
    this.timer.unref?.();
  }

  private async pruneNowAndThen(): Promise<void> {
    const now = this.deps.clock.now();
    if (now - this.lastPrune < Math.min(this.settings.keepSentMs, 60_000)) return;
    this.lastPrune = now;
    try {
      await this.deps.outbox.pruneSent(now - this.settings.keepSentMs);
    } catch (error) {
      this.deps.onSendFailure(error, -1);
    }
  }
}
