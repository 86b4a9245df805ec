import { RedisConnections } from '../../adapters/redis/redis-connections.js';
import type { RedisConfig } from '../../adapters/redis/redis-config.js';
import { RedisServiceRegistry, type RedisServiceRegistryOptions } from '../../adapters/redis/redis-service-registry.js';
import { SystemClock } from '../../adapters/system/system-clock.js';

export interface OpenedRegistry {
  readonly registry: RedisServiceRegistry;
  close(): Promise<void>;
}

/** A RedisServiceRegistry on connections of its own, as one process would open it. */
export const openRedisRegistry = (config: RedisConfig, name: string, options: RedisServiceRegistryOptions = {}): OpenedRegistry => {
  const connections = new RedisConnections(config, { name });
  const registry = new RedisServiceRegistry(connections, new SystemClock(), options);
  return {
    registry,
    close: async () => {
      await registry.close();
      await connections.close();
    },
  };
};

/** A writer and a reader in separate "processes" (connections), as the contract suite wants. */
export const openRedisRegistryPair = (config: RedisConfig, options: RedisServiceRegistryOptions = {}) => {
  const writer = openRedisRegistry(config, 'registry-writer', options);
  const reader = openRedisRegistry(config, 'registry-reader', options);
  return {
    writer: writer.registry,
    reader: reader.registry,
    close: async () => {
      await Promise.all([writer.close(), reader.close()]);
    },
  };
};
