import type { EventBus } from '../core/messaging/events.js';
import type { StreamStore } from '../core/messaging/streams.js';
import type { JobQueue } from '../core/messaging/work-queue.js';
import { InMemoryEventBus } from '../adapters/memory/in-memory-event-bus.js';
import { InMemoryStreamStore } from '../adapters/memory/in-memory-stream-store.js';
import type { Logger } from '../adapters/observability/logger.js';
import { RedisConnections } from '../adapters/redis/redis-connections.js';
import { RedisEventBus } from '../adapters/redis/redis-event-bus.js';
import { RedisStreamStore } from '../adapters/redis/redis-stream-store.js';
import type { RedisConfig } from '../adapters/redis/redis-config.js';
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

/** Redis when configured, else everything in this process. */
export const createMessaging = (redis: RedisConfig | undefined, logger: Logger): Messaging =>
  redis ? createRedisMessaging(redis, logger) : createInMemoryMessaging(logger);

/**
 * Layer 3 on Redis: one command connection, one subscriber connection, pooled blocking readers
 * (docs/adr/0008). Shutdown: workers first (they acknowledge what they finished), then the bus,
 * then the connections.
 */
export const createRedisMessaging = (redis: RedisConfig, logger: Logger): Messaging => {
  const connections = new RedisConnections(redis, { logger: logger.child({ component: 'redis' }) });
  const events = new RedisEventBus(connections, { logger: logger.child({ component: 'event-bus' }) });
  const streams = new RedisStreamStore(connections, { logger: logger.child({ component: 'stream-store' }) });
  const jobs = new StreamJobQueue(streams, new SystemClock(), logger.child({ component: 'job-queue' }));
  return {
    kind: 'redis',
    events,
    streams,
    jobs,
    close: async () => {
      await jobs.close();
      await events.close();
      await connections.close();
    },
  };
};

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
