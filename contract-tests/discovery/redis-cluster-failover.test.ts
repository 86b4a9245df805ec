import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerInstance, type InstanceRegistration } from '../../core/discovery/registration.js';
import { startRedisClusterWithReplicas, type RedisClusterWithReplicas } from '../../test-support/redis-cluster-failover.js';
import { waitFor } from '../messaging/wait.js';
import { anInstance, intervalTicker, recordChanges, uniqueService } from './builders.js';
import { openRedisRegistryPair } from './redis-registries.js';

let cluster: RedisClusterWithReplicas;
beforeAll(async () => {
  cluster = await startRedisClusterWithReplicas({ masters: 3 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
}, 30_000);

describe('RedisServiceRegistry on a Redis Cluster whose masters fail over', () => {
  it('never reports a live instance removed while a master is killed and its replica promoted', async () => {
    // Re-read every 50 ms, so that listings run while ioredis has dropped the dead master and not yet found its successor.
    const pair = openRedisRegistryPair(cluster.config, { reconcileEveryMs: 50 });
    const registrations: InstanceRegistration[] = [];
    try {
      const service = uniqueService();
      const recorder = await recordChanges(pair.reader, service);
      // 12 instance keys hash to slots on all three masters; each heartbeats as a process does.
      for (let i = 0; i < 12; i += 1) {
        const record = anInstance(service, { instanceId: `instance-${i}` });
        registrations.push(await registerInstance(pair.writer, record, { heartbeatMs: 500, ttlMs: 15_000, ticker: intervalTicker }));
      }
      await waitFor(() => recorder.changes.filter((c) => c.type === 'added').length === 12, 5_000, 'twelve instances seen');

      for (let cycle = 0; cycle < 3; cycle += 1) {
        const failover = await cluster.failMaster(cycle);
        // The listings keep running while the killed node restarts and rejoins as a replica.
        await failover.rejoined;
      }

      expect(recorder.summary().filter((change) => !change.startsWith('added'))).toEqual([]);
      expect(await pair.reader.list(service)).toHaveLength(12);
    } finally {
      await Promise.all(registrations.map((registration) => registration.deregister().catch(() => undefined)));
      await pair.close();
    }
  }, 120_000);
});
