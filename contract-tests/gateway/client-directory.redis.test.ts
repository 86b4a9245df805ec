import { afterAll, beforeAll } from 'vitest';
import { RedisClientDirectory } from '../../adapters/redis/redis-client-directory.js';
import { RedisConnections } from '../../adapters/redis/redis-connections.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { startRedisCluster, startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import type { RedisConfig } from '../../adapters/redis/redis-config.js';
import { describeClientDirectoryContract } from './client-directory.contract.js';

let node: RedisFixture;
let cluster: RedisFixture;
beforeAll(async () => {
  [node, cluster] = await Promise.all([startRedisNode(), startRedisCluster()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([node?.stop(), cluster?.stop()]);
});

// Each directory opens its own connections, as a gateway process would.
const fixtureOn = (config: () => RedisConfig) => async () => {
  const opened: RedisConnections[] = [];
  return {
    open: () => {
      const connections = new RedisConnections(config(), { name: 'client-directory' });
      opened.push(connections);
      return new RedisClientDirectory(connections, new SystemClock());
    },
    close: async () => {
      await Promise.all(opened.map((connections) => connections.close()));
    },
  };
};

describeClientDirectoryContract(
  'RedisClientDirectory on one redis-server',
  fixtureOn(() => node.config),
);
describeClientDirectoryContract(
  'RedisClientDirectory on a 3-master Redis Cluster',
  fixtureOn(() => cluster.config),
);
