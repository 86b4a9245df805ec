import type { StreamFields, StreamProducer } from '../../core/messaging/streams.js';
import type { Logger } from './logger.js';

export interface PeriodicStreamPublisherOptions {
  readonly stream: string;
  /** MAXLEN ~ of the stream; absent: the store's retention of it. */
  readonly maxLen?: number;
  readonly intervalMs: number;
  /** The entries of one tick, appended in one round trip; none skips the tick. */
  readonly entries: () => readonly StreamFields[];
  readonly streams: StreamProducer;
  readonly logger: Logger;
}

export interface PeriodicStreamPublisher {
  /** Stops the ticks and waits for an append under way. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Appends `entries()` to a stream at once and then every `intervalMs`, one tick after the other
 * (a slow append delays the next tick instead of piling up). A failed append is logged once per
 * outage, not at every tick, and the publisher keeps trying.
 */
export const startPeriodicStreamPublisher = (options: PeriodicStreamPublisherOptions): PeriodicStreamPublisher => {
  const { stream, maxLen, intervalMs, streams, logger } = options;
  let stopped = false;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    try {
      const entries = options.entries();
      if (entries.length > 0) await streams.appendBatch(stream, entries, maxLen === undefined ? {} : { maxLen });
      if (failing) logger.info({ stream }, 'publishing to the stream again');
      failing = false;
    } catch (error) {
      if (!failing) logger.warn({ err: error, stream }, 'cannot publish to the stream; retrying every interval');
      failing = true;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().then(schedule);
    }, intervalMs);
    timer.unref();
  };
  running = tick().then(schedule);

  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
};
