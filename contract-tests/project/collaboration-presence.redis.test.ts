import { afterAll, beforeAll } from 'vitest';
import { RedisConnections } from '../../adapters/redis/redis-connections.js';
import { RedisCollaborationPresence } from '../../adapters/redis/redis-collaboration-presence.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { describeCollaborationPresenceContract } from './collaboration-presence.contract.js';

let redis: RedisFixture;

beforeAll(async () => {
  redis = await startRedisNode();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

describeCollaborationPresenceContract('RedisCollaborationPresence', async () => {
  // Two sets of connections: two project instances on one Redis.
  const connections = [new RedisConnections(redis.config), new RedisConnections(redis.config)];
  return {
    presence: new RedisCollaborationPresence(connections[0]!),
    peer: new RedisCollaborationPresence(connections[1]!),
    close: async () => {
      await Promise.all(connections.map((c) => c.close()));
    },
  };
});
