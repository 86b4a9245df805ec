import { afterAll, beforeAll } from 'vitest';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { openRedisStreamStore, type OpenedAdapter } from '../../test-support/redis-messaging.js';
import type { RedisStreamStore } from '../../adapters/redis/redis-stream-store.js';
import { describeStreamFanOutBehaviour } from './stream-fan-out.behaviour.js';

// One redis-server for this file; every reader opens its own connections, as a gateway process would.
let redis: RedisFixture;
beforeAll(async () => {
  redis = await startRedisNode();
});
afterAll(async () => {
  await redis?.stop();
});

describeStreamFanOutBehaviour('RedisStreamStore on one redis-server', async () => {
  const opened: OpenedAdapter<RedisStreamStore>[] = [];
  const open = () => {
    const store = openRedisStreamStore(redis.config, 'gateway-fan-out');
    opened.push(store);
    return store.adapter;
  };
  const producer = open();
  return {
    openReader: open,
    append: async (stream, entries) => {
      await producer.appendBatch(stream, entries);
    },
    close: async () => {
      await Promise.all(opened.map((store) => store.close()));
    },
  };
});
