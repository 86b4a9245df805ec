import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../core/messaging/events.js';
import { startRedisCluster, type RedisFixture } from '../../test-support/redis-fixture.js';
import { openRedisEventBus, openRedisJobQueue, openRedisStreamStore, testClaimIdleMs } from '../../test-support/redis-messaging.js';
import { describeEventBusContract } from './event-bus.contract.js';
import { describeJobQueueContract } from './job-queue.contract.js';
import { describeStreamStoreContract } from './stream-store.contract.js';
import { uniqueName } from './unique-name.js';
import { waitFor } from './wait.js';

// A real 3-master Redis Cluster, created once for this file.
let cluster: RedisFixture;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describeEventBusContract('RedisEventBus on a 3-master Redis Cluster', async () => {
  const publisher = openRedisEventBus(cluster.config, 'publisher');
  const subscriber = openRedisEventBus(cluster.config, 'subscriber');
  return {
    publisher: publisher.adapter,
    subscriber: subscriber.adapter,
    close: async () => {
      await Promise.all([publisher.close(), subscriber.close()]);
    },
  };
});

describeStreamStoreContract('RedisStreamStore on a 3-master Redis Cluster', async () => {
  const opened = openRedisStreamStore(cluster.config, 'streams');
  return { store: opened.adapter, close: opened.close };
});

// Each fixture opens its own connections to the same Redis, as separate worker processes would.
describeJobQueueContract('StreamJobQueue on RedisStreamStore on a 3-master Redis Cluster', async () => {
  const opened = openRedisJobQueue(cluster.config, 'jobs');
  return { queue: opened.adapter, close: opened.close, claimIdleMs: testClaimIdleMs };
});

describe('RedisEventBus with sharded Pub/Sub on a 3-master Redis Cluster', () => {
  it('delivers SPUBLISH on channels spread over every shard, once each and in order per channel', async () => {
    const prefix = `${uniqueName('sharded')}:`;
    const options = { shardedChannelPrefixes: [prefix] };
    const publisher = openRedisEventBus(cluster.config, 'sharded-publisher', options);
    const subscriber = openRedisEventBus(cluster.config, 'sharded-subscriber', options);
    try {
      // 30 channels hash to slots on all three masters.
      const channels = Array.from({ length: 30 }, (_, i) => `${prefix}${i}`);
      const received = new Map<string, number[]>(channels.map((c) => [c, []]));
      for (const channel of channels) {
        await subscriber.adapter.subscribe(channel, (event: DomainEvent) => {
          received.get(channel)!.push(event.n as number);
        });
      }

      for (let n = 0; n < 5; n += 1) {
        for (const channel of channels) await publisher.adapter.publish(channel, { type: 'tick', timestamp: Date.now(), n });
      }

      await waitFor(() => [...received.values()].every((ns) => ns.length >= 5), 10_000, 'five events on every channel');
      for (const ns of received.values()) expect(ns).toEqual([0, 1, 2, 3, 4]);
      // Each master serves the subscriptions of its own slots: sharded, not broadcast.
      const masters = (publisher.connections.command as Cluster).nodes('master');
      const nodesWithShardChannels = await Promise.all(
        masters.map(async (node) => ((await node.call('PUBSUB', 'SHARDCHANNELS', `${prefix}*`)) as string[]).length),
      );
      expect(nodesWithShardChannels.filter((count) => count > 0)).toHaveLength(3);
    } finally {
      await Promise.all([publisher.close(), subscriber.close()]);
    }
  });
});

describe('RedisStreamStore with concurrent calls on a 3-master Redis Cluster', () => {
  it('routes every call of one tick to the shard of its own stream', async () => {
    const opened = openRedisStreamStore(cluster.config, 'concurrent');
    const store = opened.adapter;
    // 30 streams hash to slots on all three masters; each step issues all 30 calls at once.
    const streams = Array.from({ length: 30 }, () => uniqueName('concurrent'));
    try {
      await Promise.all(streams.map((s) => store.ensureGroup(s, 'g', '0')));
      const ids = await Promise.all(streams.map((s) => store.append(s, { n: s })));
      const read = await Promise.all(streams.map((s) => store.readGroup(s, 'g', 'c1', { count: 10 })));
      const fanOut = await Promise.all(streams.map((s) => store.read(s, '0', { count: 10 })));
      await Promise.all(streams.map((s, i) => store.keepClaim(s, 'g', 'c1', [ids[i]!])));
      const claimed = await Promise.all(streams.map((s) => store.claimIdle(s, 'g', 'c2', 0, 10)));
      const acked = await Promise.all(streams.map((s, i) => store.ack(s, 'g', [ids[i]!])));

      expect(read.map((entries) => entries.map((e) => e.fields.n))).toEqual(streams.map((s) => [s]));
      expect(fanOut.map((entries) => entries.map((e) => e.id))).toEqual(ids.map((id) => [id]));
      expect(claimed.map((entries) => entries.map((e) => e.deliveries))).toEqual(streams.map(() => [2]));
      expect(acked).toEqual(streams.map(() => 1));
    } finally {
      await Promise.all(streams.map((s) => store.remove(s)));
      await opened.close();
    }
  });
});
