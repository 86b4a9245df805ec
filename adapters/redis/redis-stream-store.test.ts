import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DomainFailureError } from '../../core/shared/errors.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { RedisConnections } from './redis-connections.js';
import { RedisStreamStore, type RedisStreamStoreOptions } from './redis-stream-store.js';
import { retentionWith } from '../../core/messaging/stream-retention.js';

let redis: RedisFixture;
let admin: Redis;
const opened: RedisConnections[] = [];

beforeAll(async () => {
  redis = await startRedisNode();
  admin = new Redis(redis.config.kind === 'node' ? redis.config.url : '');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

const openStore = (options: RedisStreamStoreOptions = {}): { store: RedisStreamStore; connections: RedisConnections } => {
  const connections = new RedisConnections(redis.config, { name: 'store-test' });
  opened.push(connections);
  return { store: new RedisStreamStore(connections, options), connections };
};

const clientNames = async (): Promise<string[]> =>
  ((await admin.call('CLIENT', 'LIST')) as string).split('\n').flatMap((line) => /name=(\S+)/.exec(line)?.[1] ?? []);

describe('RedisStreamStore', () => {
  it('trims a stream of a known family to its retention when the producer does not say', async () => {
    const { store } = openStore({ retention: retentionWith({ 'simulation:stream:': 100 }) });

    for (let batch = 0; batch < 10; batch += 1) {
      await store.appendBatch(
        'simulation:stream:retained',
        Array.from({ length: 100 }, (_, i) => ({ n: String(batch * 100 + i) })),
      );
    }

    const length = await store.length('simulation:stream:retained');
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThanOrEqual(300);
    await store.remove('simulation:stream:retained');
  });

  it('never trims a work queue', async () => {
    const { store } = openStore();

    await store.appendBatch(
      'async:trim-test:queue',
      Array.from({ length: 500 }, (_, i) => ({ n: String(i) })),
    );

    expect(await store.length('async:trim-test:queue')).toBe(500);
    await store.remove('async:trim-test:queue');
  });

  it('blocks group reads on connections of their own, so other calls and readers go on meanwhile', async () => {
    const { store } = openStore();
    await store.ensureGroup('block:a', 'g');
    await store.ensureGroup('block:b', 'g');
    const readingA = store.readGroup('block:a', 'g', 'c', { count: 1, blockMs: 10_000 });
    const readingB = store.readGroup('block:b', 'g', 'c', { count: 1, blockMs: 10_000 });
    const blockedSince = Date.now();

    await store.append('block:a', { n: 'a' });
    await store.append('block:b', { n: 'b' });
    expect(await store.length('block:a')).toBe(1);

    expect((await readingA).map((e) => e.fields.n)).toEqual(['a']);
    expect((await readingB).map((e) => e.fields.n)).toEqual(['b']);
    expect(Date.now() - blockedSince).toBeLessThan(5_000);
    expect((await clientNames()).filter((name) => name === 'store-test:blocking')).toHaveLength(2);
    await Promise.all([store.remove('block:a'), store.remove('block:b')]);
  });

  it('keeps a claim only on entries still pending for the same consumer', async () => {
    const { store } = openStore();
    await store.ensureGroup('keep:own', 'g', '0');
    const [id] = await store.appendBatch('keep:own', [{ n: '0' }]);
    await store.readGroup('keep:own', 'g', 'crashed', { count: 1 });
    await store.claimIdle('keep:own', 'g', 'rescuer', 0, 10);

    await store.keepClaim('keep:own', 'g', 'crashed', [id!]);

    expect(await store.pending('keep:own', 'g')).toMatchObject([{ id, consumer: 'rescuer', deliveries: 2 }]);
    await store.remove('keep:own');
  });

  it('ends a blocked read with a clear error when its connections close', async () => {
    const { store, connections } = openStore();
    await store.ensureGroup('block:closing', 'g');
    const reading = store.readGroup('block:closing', 'g', 'c', { count: 1, blockMs: 20_000 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closedAt = Date.now();

    await connections.close();

    expect(await reading).toBeInstanceOf(DomainFailureError);
    expect(Date.now() - closedAt).toBeLessThan(2_000);
    await admin.del('block:closing');
  });

  it('names each connection by its role', async () => {
    const { store } = openStore();
    await store.read('names', '0', { count: 1, blockMs: 1 });

    expect(await clientNames()).toEqual(expect.arrayContaining(['store-test:command', 'store-test:blocking']));
  });
});
