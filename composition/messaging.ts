import type { ClientDirectory } from '../core/gateway/index.js';
import type { Tracer } from '@opentelemetry/api';
import type { EventBus } from '../core/messaging/events.js';
import type { StreamStore } from '../core/messaging/streams.js';
import type { JobQueue } from '../core/messaging/work-queue.js';
import { InMemoryClientDirectory } from '../adapters/memory/in-memory-client-directory.js';
import { DEFAULT_STREAM_RETENTION, familyRetention, type StreamFamilyRetention } from '../core/messaging/stream-retention.js';
import { InMemoryEventBus } from '../adapters/memory/in-memory-event-bus.js';
import { DeduplicatingEventBus } from '../adapters/messaging/deduplicating-event-bus.js';
import { DeduplicatingJobQueue } from '../adapters/messaging/deduplicating-job-queue.js';
import { InMemoryStreamStore } from '../adapters/memory/in-memory-stream-store.js';
import { InstrumentedEventBus } from '../adapters/observability/metrics/instrumented-event-bus.js';
import { InstrumentedStreamStore } from '../adapters/observability/metrics/instrumented-stream-store.js';
import type { Logger } from '../adapters/observability/logger.js';
import { RedisClientDirectory } from '../adapters/redis/redis-client-directory.js';
import { TracingEventBus, TracingJobQueue } from '../adapters/observability/tracing/tracing-messaging.js';
import { RedisConnections } from '../adapters/redis/redis-connections.js';
import { RedisEventBus } from '../adapters/redis/redis-event-bus.js';
import { RedisStreamStore } from '../adapters/redis/redis-stream-store.js';
import type { RedisConfig } from '../adapters/redis/redis-config.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { DEFAULT_JOB_CLAIM_IDLE_MS, DEFAULT_JOB_MAX_ATTEMPTS, StreamJobQueue } from '../adapters/streams/stream-job-queue.js';
import type { MessagingObserver } from './observability/process-metrics.js';

/** Layer 3 of one process: the event bus, the stream store, the work queues on top of the streams, and the gateways' client directory. */
export interface Messaging {
  readonly kind: 'memory' | 'redis';
  readonly events: EventBus;
  readonly streams: StreamStore;
  readonly jobs: JobQueue;
  /** The clients of every gateway instance on this layer 3 (docs/adr/0052). */
  readonly clientDirectory: ClientDirectory;
  /** The process's Redis connections, for state the instances of a service share (auth's login throttle); absent in memory. */
  readonly redis?: RedisConnections;
  close(): Promise<void>;
}

/** How layer 3 keeps streams and retries jobs (`STREAM_RETENTION_*`, `QUEUE_*`). */
export interface MessagingSettings {
  readonly retention: StreamFamilyRetention;
  readonly jobs: { readonly claimIdleMs: number; readonly maxAttempts: number };
}

export const DEFAULT_MESSAGING_SETTINGS: MessagingSettings = {
  retention: DEFAULT_STREAM_RETENTION,
  jobs: { claimIdleMs: DEFAULT_JOB_CLAIM_IDLE_MS, maxAttempts: DEFAULT_JOB_MAX_ATTEMPTS },
};

/**
 * Redis when configured, else everything in this process; counted by `observer` when given (the
 * launcher's process metrics), with `settings`.
 */
export const createMessaging = (
  redis: RedisConfig | undefined,
  logger: Logger,
  observer?: MessagingObserver,
  settings: MessagingSettings = DEFAULT_MESSAGING_SETTINGS,
): Messaging => (redis ? createRedisMessaging(redis, logger, observer, settings) : createInMemoryMessaging(logger, observer, settings));

/**
 * The bus and store as the services see them: counted when there is an observer (the work queues
 * too, as they run on the store); every subscription drops a repeated `event_id` (docs/adr/0038).
 */
const observed = (events: EventBus, streams: StreamStore, observer: MessagingObserver | undefined) =>
  observer
    ? {
        events: new DeduplicatingEventBus(new InstrumentedEventBus(events, observer.messaging)),
        streams: new InstrumentedStreamStore(streams, observer.messaging),
      }
    : { events: new DeduplicatingEventBus(events), streams };

/**
 * Layer 3 on Redis: one command connection, one subscriber connection, pooled blocking readers
 * (docs/adr/0008). Shutdown: workers first (they acknowledge what they finished), then the bus,
 * then the connections.
 */
export const createRedisMessaging = (
  redis: RedisConfig,
  logger: Logger,
  observer?: MessagingObserver,
  settings: MessagingSettings = DEFAULT_MESSAGING_SETTINGS,
): Messaging => {
  const connections = new RedisConnections(redis, { logger: logger.child({ component: 'redis' }) });
  const events = new RedisEventBus(connections, { logger: logger.child({ component: 'event-bus' }) });
  const { events: bus, streams } = observed(
    events,
    new RedisStreamStore(connections, {
      logger: logger.child({ component: 'stream-store' }),
      retention: familyRetention(settings.retention),
    }),
    observer,
  );
  const jobs = new StreamJobQueue(streams, new SystemClock(), logger.child({ component: 'job-queue' }), settings.jobs);
  const unwatch = observer?.watchRedis(connections.command);
  return {
    kind: 'redis',
    events: bus,
    streams,
    jobs: new DeduplicatingJobQueue(jobs),
    clientDirectory: new RedisClientDirectory(connections, new SystemClock()),
    redis: connections,
    close: async () => {
      unwatch?.();
      await jobs.close();
      await events.close();
      await connections.close();
    },
  };
};

/** Embedded defaults: everything in this process, no server to install. */
export const createInMemoryMessaging = (
  logger: Logger,
  observer?: MessagingObserver,
  settings: MessagingSettings = DEFAULT_MESSAGING_SETTINGS,
): Messaging => {
  const clock = new SystemClock();
  const store = new InMemoryStreamStore(clock, familyRetention(settings.retention));
  const { events, streams } = observed(new InMemoryEventBus(logger.child({ component: 'event-bus' })), store, observer);
  const jobs = new StreamJobQueue(streams, clock, logger.child({ component: 'job-queue' }), {
    messagingSystem: 'meshwork_memory',
    ...settings.jobs,
  });
  return {
    kind: 'memory',
    events,
    streams,
    jobs: new DeduplicatingJobQueue(jobs),
    clientDirectory: new InMemoryClientDirectory(clock),
    close: async () => {
      await jobs.close();
      await store.close();
    },
  };
};

/**
 * One service's view of the process's layer 3 when traces are exported (docs/adr/0048): the
 * messages its handlers and workers consume run in consumer spans recorded by its tracer.
 */
export const messagingTracedBy = (messaging: Messaging, tracer: Tracer): Messaging => {
  const system = messaging.kind === 'redis' ? 'redis' : 'meshwork_memory';
  return {
    ...messaging,
    events: new TracingEventBus(messaging.events, tracer, system),
    jobs: new TracingJobQueue(messaging.jobs, tracer, system),
  };
};
