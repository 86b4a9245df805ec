import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConnections } from '../../adapters/redis/redis-connections.js';
import { registryKey } from '../../adapters/redis/redis-service-registry-keys.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { delay, waitFor } from '../messaging/wait.js';
import { anInstance, recordChanges, uniqueService } from './builders.js';
import { openRedisRegistryPair } from './redis-registries.js';

let redis: RedisFixture;
beforeAll(async () => {
  redis = await startRedisNode();
});
afterAll(async () => {
  await redis?.stop();
});

/**
 * A Redis Cluster master restarted empty answers for its old slots until gossip makes it a replica:
 * for that moment a live instance's key reads as gone (docs/adr/0067). Here the key is deleted
 * behind the registry's back, then written again as the instance's next heartbeat would.
 */
describe('RedisServiceRegistry when a live instance key goes missing', () => {
  it('keeps an instance whose key is gone for a moment, and removes one whose key stays gone for 2 s', async () => {
    const pair = openRedisRegistryPair(redis.config, { reconcileEveryMs: 50 });
    const raw = new RedisConnections(redis.config, { name: 'behind-the-registry' });
    try {
      const service = uniqueService();
      const recorder = await recordChanges(pair.reader, service);
      const [back, gone] = [anInstance(service, { instanceId: 'comes-back' }), anInstance(service, { instanceId: 'stays-gone' })];
      for (const record of [back, gone]) await pair.writer.register(record, 60_000);
      await waitFor(() => recorder.changes.filter((c) => c.type === 'added').length === 2, 5_000, 'both instances seen');

      const lostAt = Date.now();
      await raw.command.del(registryKey(service, back.instanceId), registryKey(service, gone.instanceId));
      // Re-read every 50 ms meanwhile; the heartbeat writes `back` again after 800 ms.
      await delay(800);
      await pair.writer.register(back, 60_000);
      await waitFor(() => recorder.summary().includes('removed(expired):stays-gone'), 5_000, 'the gone instance removed');
      const removedAfterMs = Date.now() - lostAt;

      expect(recorder.summary().filter((change) => !change.startsWith('added'))).toEqual(['removed(expired):stays-gone']);
      expect(removedAfterMs).toBeGreaterThanOrEqual(2_000);
      expect((await pair.reader.list(service)).map((instance) => instance.instanceId)).toEqual(['comes-back']);
    } finally {
      await raw.close();
      await pair.close();
    }
  }, 30_000);
});
