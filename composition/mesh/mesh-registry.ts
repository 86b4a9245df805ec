import type { Clock } from '../../core/shared/clock.js';
import { InMemoryServiceRegistry } from '../../adapters/memory/in-memory-service-registry.js';
import type { Logger } from '../../adapters/observability/logger.js';
import type { RedisConfig } from '../../adapters/redis/redis-config.js';
import { RedisConnections } from '../../adapters/redis/redis-connections.js';
import { RedisServiceRegistry } from '../../adapters/redis/redis-service-registry.js';
import type { OpenedRegistry } from '../../adapters/grpc/mesh/process-mesh.js';

/**
 * The registry of the mesh: on Redis when layer 3 is (on connections of its own, since its watch
 * claims their subscriber connection: docs/adr/0011), else one in-memory registry for all the
 * services of this process.
 */
export const openRegistry = (redis: RedisConfig | undefined, clock: Clock, logger: Logger): OpenedRegistry => {
  if (!redis) {
    const registry = new InMemoryServiceRegistry(clock);
    return { kind: 'memory', registry, close: async () => registry.close() };
  }
  const connections = new RedisConnections(redis, { name: 'meshwork:registry', logger: logger.child({ component: 'redis-registry' }) });
  const registry = new RedisServiceRegistry(connections, clock, { logger: logger.child({ component: 'service-registry' }) });
  return {
    kind: 'redis',
    registry,
    close: async () => {
      await registry.close();
      await connections.close();
    },
  };
};
