import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisFixture } from '../../test-support/redis-fixture.js';
import { waitFor } from '../messaging/wait.js';
import { anInstance, recordChanges, uniqueService } from './builders.js';
import { openRedisRegistryPair } from './redis-registries.js';
import { describeServiceRegistryContract } from './service-registry.contract.js';

// A real 3-master Redis Cluster, created once for this file.
let cluster: RedisFixture;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describeServiceRegistryContract('RedisServiceRegistry on a 3-master Redis Cluster', async () => openRedisRegistryPair(cluster.config));

describe('RedisServiceRegistry on a 3-master Redis Cluster', () => {
  it('hears the expiry events of every master, not only of the one it subscribed through', async () => {
    const pair = openRedisRegistryPair(cluster.config, { reconcileEveryMs: 60_000 });
    try {
      const service = uniqueService();
      const recorder = await recordChanges(pair.reader, service);
      expect(pair.reader.expiryDetection).toBe('keyspace-events');
      // 12 instance keys hash to slots on all three masters.
      const records = Array.from({ length: 12 }, (_, i) => anInstance(service, { instanceId: `instance-${i}` }));
      await Promise.all(records.map((record) => pair.writer.register(record, 300)));
      expect(await pair.reader.list(service)).toHaveLength(12);

      // Expiry events only (the periodic re-read is a minute away): each arrives from its own master.
      await waitFor(() => recorder.changes.filter((c) => c.type === 'removed').length === 12, 5_000, 'twelve expiries');
      expect(recorder.changes.filter((c) => c.type === 'removed' && c.reason === 'expired')).toHaveLength(12);
    } finally {
      await pair.close();
    }
  });
});
