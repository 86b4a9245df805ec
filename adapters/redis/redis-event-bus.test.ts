import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../core/messaging/events.js';
import { DomainFailureError } from '../../core/shared/errors.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { RedisConnections } from './redis-connections.js';
import { RedisEventBus } from './redis-event-bus.js';

let redis: RedisFixture;
let admin: Redis;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  redis = await startRedisNode();
  admin = new Redis(url());
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

const url = (): string => (redis.config.kind === 'node' ? redis.config.url : '');

const capturedLogs = (): { logger: pino.Logger; lines: () => string[] } => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), lines: () => lines };
};

const openBus = (options: ConstructorParameters<typeof RedisEventBus>[1] = {}, connectionOptions = {}) => {
  const connections = new RedisConnections(redis.config, { name: 'bus-test', ...connectionOptions });
  const bus = new RedisEventBus(connections, options);
  opened.push({ close: async () => (await bus.close(), await connections.close()) });
  return { bus, connections };
};

const waitFor = async (predicate: () => boolean | Promise<boolean>, what: string): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const numsub = async (channel: string): Promise<number> => Number(((await admin.pubsub('NUMSUB', channel)) as unknown[])[1]);
const event = (type: string): DomainEvent => ({ type, timestamp: Date.now() });

describe('RedisEventBus', () => {
  it('fans out to every local handler of a channel from one Redis subscription', async () => {
    const { bus } = openBus();
    const calls: string[] = [];
    const subscriptions = await Promise.all(
      ['a', 'b', 'c'].map((name) => bus.subscribe('fan:out', (e) => void calls.push(`${name}:${e.type}`))),
    );

    expect(await numsub('fan:out')).toBe(1);
    await admin.publish('fan:out', JSON.stringify(event('hello')));
    await waitFor(() => calls.length === 3, 'three deliveries');
    expect(calls.sort()).toEqual(['a:hello', 'b:hello', 'c:hello']);

    await subscriptions[0]!.unsubscribe();
    expect(await numsub('fan:out')).toBe(1);
    await Promise.all(subscriptions.slice(1).map((s) => s.unsubscribe()));
    expect(await numsub('fan:out')).toBe(0);
  });

  it('logs and skips non-JSON, non-event and oversize messages, and keeps delivering', async () => {
    const { logger, lines } = capturedLogs();
    const { bus } = openBus({ logger, maxEventBytes: 1_000 });
    const received: string[] = [];
    await bus.subscribe('bad:input', (e) => void received.push(e.type));

    await admin.publish('bad:input', 'not json at all');
    await admin.publish('bad:input', JSON.stringify({ hello: 'no type' }));
    await admin.publish('bad:input', JSON.stringify({ type: 'huge', timestamp: 1, blob: 'x'.repeat(2_000) }));
    await admin.publish('bad:input', JSON.stringify(event('fine')));

    await waitFor(() => received.length === 1, 'the good event');
    expect(received).toEqual(['fine']);
    await waitFor(() => lines().length >= 3, 'three log lines');
    expect(lines().join('')).toMatch(/not JSON[\s\S]*no string `type`[\s\S]*exceeds the 1000-byte limit/);
  });

  it('refuses to publish an event over the size limit', async () => {
    const { bus } = openBus({ maxEventBytes: 100 });

    await expect(bus.publish('big', { ...event('big'), blob: 'x'.repeat(200) })).rejects.toThrow(/limit is 100/);
  });

  it('fails a publish with a clear error within its timeout when Redis cannot be reached', async () => {
    const connections = new RedisConnections({ kind: 'node', url: 'redis://127.0.0.1:1' }, { commandTimeoutMs: 300 });
    const bus = new RedisEventBus(connections);
    opened.push({ close: async () => (await bus.close(), await connections.close()) });
    const started = Date.now();

    const error = await bus.publish('nowhere', event('lost')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DomainFailureError);
    expect((error as DomainFailureError).failure).toMatchObject({ kind: 'unavailable', code: 'redis_unavailable' });
    expect((error as Error).message).toMatch(/Redis unavailable: publish on nowhere/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('uses sharded Pub/Sub for the configured prefixes and refuses patterns that could match them', async () => {
    const { bus: subscriber } = openBus({ shardedChannelPrefixes: ['live:'] });
    const { bus: publisher } = openBus({ shardedChannelPrefixes: ['live:'] });
    const received: string[] = [];
    await subscriber.subscribe('live:sim-1', (e) => void received.push(e.type));

    expect((await admin.call('PUBSUB', 'SHARDNUMSUB', 'live:sim-1')) as unknown[]).toEqual(['live:sim-1', 1]);
    expect(await numsub('live:sim-1')).toBe(0);
    await publisher.publish('live:sim-1', event('tick'));
    await waitFor(() => received.length === 1, 'the sharded event');
    await expect(subscriber.subscribePattern('live:*', () => {})).rejects.toThrow(/sharded/);
    await expect(subscriber.subscribePattern('*', () => {})).rejects.toThrow(/sharded/);
    await expect(subscriber.subscribePattern('system:*', () => {})).resolves.toBeDefined();
  });

  it('allows one bus per subscriber connection, and none after close', async () => {
    const { bus, connections } = openBus();

    expect(() => new RedisEventBus(connections)).toThrow(/already used/);
    await bus.close();
    await expect(bus.subscribe('closed', () => {})).rejects.toThrow(/closed/);
    await expect(bus.publish('closed', event('late'))).rejects.toThrow(/closed/);
  });
});
