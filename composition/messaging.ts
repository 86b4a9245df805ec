import type { EventBus } from '../core/messaging/events.js';
import type { StreamStore } from '../core/messaging/streams.js';
import type { JobQueue } from '../core/messaging/work-queue.js';
import { InMemoryEventBus } from '../adapters/memory/in-memory-event-bus.js';
import { InMemoryStreamStore } from '../adapters/memory/in-memory-stream-store.js';
import type { Logger } from '../adapters/observability/logger.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { StreamJobQueue } from '../adapters/streams/stream-job-queue.js';

/** Layer 3 of one process: the event bus, the stream store, and the work queues on top of the streams. */
export interface Messaging {
  readonly kind: 'memory' | 'redis';
  readonly events: EventBus;
  readonly streams: StreamStore;
  readonly jobs: JobQueue;
  close(): Promise<void>;
}

/** Embedded defaults: everything in this process, no server to install. */
export const createInMemoryMessaging = (logger: Logger): Messaging => {
  const events = new InMemoryEventBus(logger.child({ component: 'event-bus' }));
  const clock = new SystemClock();
  const streams = new InMemoryStreamStore(clock);
  const jobs = new StreamJobQueue(streams, clock, logger.child({ component: 'job-queue' }));
  return {
    kind: 'memory',
    events,
    streams,
    jobs,
    close: async () => {
      await jobs.close();
      await streams.close();
    },
  };
};
