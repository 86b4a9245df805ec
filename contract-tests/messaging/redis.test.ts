import { afterAll, beforeAll } from 'vitest';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { openRedisEventBus, openRedisJobQueue, openRedisStreamStore, testClaimIdleMs } from '../../test-support/redis-messaging.js';
import { describeEventBusContract } from './event-bus.contract.js';
import { describeJobQueueContract } from './job-queue.contract.js';
import { describeStreamStoreContract } from './stream-store.contract.js';

// One redis-server spawned for this file; every test opens its own connections, as a process would.
let redis: RedisFixture;
beforeAll(async () => {
  redis = await startRedisNode();
});
afterAll(async () => {
  await redis?.stop();
});

describeEventBusContract('RedisEventBus on one redis-server', async () => {
  const publisher = openRedisEventBus(redis.config, 'publisher');
  const subscriber = openRedisEventBus(redis.config, 'subscriber');
  return {
    publisher: publisher.adapter,
    subscriber: subscriber.adapter,
    close: async () => {
      await Promise.all([publisher.close(), subscriber.close()]);
    },
    interruptDelivery: async () => {
      // The subscriber's connection is dropped by the server, as a network fault or restart would.
      await publisher.connections.command.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    },
  };
});

describeStreamStoreContract('RedisStreamStore on one redis-server', async () => {
  const opened = openRedisStreamStore(redis.config, 'streams');
  return { store: opened.adapter, close: opened.close };
});

// Each fixture opens its own connections to the same Redis, as separate worker processes would.
describeJobQueueContract('StreamJobQueue on RedisStreamStore on one redis-server', async () => {
  const opened = openRedisJobQueue(redis.config, 'jobs');
  return { queue: opened.adapter, close: opened.close, claimIdleMs: testClaimIdleMs };
});
