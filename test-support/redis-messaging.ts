import { testLogger } from './test-logger.js';
import type { RedisConfig } from '../adapters/redis/redis-config.js';
import { RedisConnections, type RedisConnectionOptions } from '../adapters/redis/redis-connections.js';
import { RedisEventBus, type RedisEventBusOptions } from '../adapters/redis/redis-event-bus.js';
import { RedisStreamStore, type RedisStreamStoreOptions } from '../adapters/redis/redis-stream-store.js';
import { StreamJobQueue } from '../adapters/streams/stream-job-queue.js';
import { SystemClock } from '../adapters/system/system-clock.js';

/** What one process would open: its connections and an adapter on them. */
export interface OpenedAdapter<T> {
  readonly adapter: T;
  readonly connections: RedisConnections;
  close(): Promise<void>;
}

export const openRedisEventBus = (
  config: RedisConfig,
  name: string,
  options: RedisEventBusOptions & RedisConnectionOptions = {},
): OpenedAdapter<RedisEventBus> => {
  const connections = new RedisConnections(config, { name, ...options });
  const adapter = new RedisEventBus(connections, options);
  return {
    adapter,
    connections,
    close: async () => {
      await adapter.close();
      await connections.close();
    },
  };
};

export const openRedisStreamStore = (
  config: RedisConfig,
  name: string,
  options: RedisStreamStoreOptions & RedisConnectionOptions = {},
): OpenedAdapter<RedisStreamStore> => {
  const connections = new RedisConnections(config, { name, ...options });
  return { adapter: new RedisStreamStore(connections, options), connections, close: () => connections.close() };
};

/** Redelivery idle time of the job queues the Redis suites open: short, with room for a loaded machine. */
export const testClaimIdleMs = 750;

/** A StreamJobQueue over its own RedisStreamStore connections, as one worker process would have. */
export const openRedisJobQueue = (config: RedisConfig, name: string): OpenedAdapter<StreamJobQueue> => {
  const opened = openRedisStreamStore(config, name);
  const adapter = new StreamJobQueue(opened.adapter, new SystemClock(), testLogger(name), {
    claimIdleMs: testClaimIdleMs,
    blockMs: 200,
  });
  return {
    adapter,
    connections: opened.connections,
    close: async () => {
      await adapter.close();
      await opened.close();
    },
  };
};
