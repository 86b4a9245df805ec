import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Discovery } from '../../core/discovery/discovery.js';
import type { ServiceInstance } from '../../core/discovery/instance.js';
import { registerInstance } from '../../core/discovery/registration.js';
import { percentile } from '../../core/discovery/latency-samples.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { delay, waitFor } from '../messaging/wait.js';
import { anInstance, intervalTicker, uniqueService } from './builders.js';
import { openRedisRegistryPair } from './redis-registries.js';

let redis: RedisFixture;
beforeAll(async () => {
  redis = await startRedisNode();
});
afterAll(async () => {
  await redis?.stop();
});

describe('Discovery over RedisServiceRegistry', () => {
  let pair: ReturnType<typeof openRedisRegistryPair>;
  let discovery: Discovery;
  let service: string;

  beforeEach(async () => {
    pair = openRedisRegistryPair(redis.config);
    service = uniqueService();
    discovery = new Discovery(pair.reader, new SystemClock(), { services: [service] });
    await discovery.start();
  });
  afterEach(async () => {
    await discovery.close();
    await pair.close();
  });

  /** Resolves with the ms from now until `current(service)` satisfies `predicate`, as seen by onChange. */
  const timeUntil = (predicate: (instances: readonly ServiceInstance[]) => boolean): { started: number; seen: Promise<number> } => {
    const started = performance.now();
    const seen = new Promise<number>((resolve) => {
      const stop = discovery.onChange(service, (instances) => {
        if (!predicate(instances)) return;
        stop();
        resolve(performance.now() - started);
      });
    });
    return { started, seen };
  };

  it('notices a new and a removed instance within 100 ms (median of 10)', async () => {
    const added: number[] = [];
    const removed: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const record = anInstance(service);
      const appear = timeUntil((instances) => instances.some((x) => x.instanceId === record.instanceId));
      await pair.writer.register(record, 10_000);
      added.push(await appear.seen);

      const vanish = timeUntil((instances) => !instances.some((x) => x.instanceId === record.instanceId));
      await pair.writer.deregister(service, record.instanceId);
      removed.push(await vanish.seen);
    }

    const medians = { added: median(added), removed: median(removed) };
    console.info(`discovery latency over Redis, median ms: ${JSON.stringify(medians)}`);
    expect(medians.added).toBeLessThan(100);
    expect(medians.removed).toBeLessThan(100);
    // The view measures the same thing from the writer's timestamps.
    const stats = discovery.stats();
    expect(stats.latency.count).toBe(20);
    expect(stats.latency.p50).toBeLessThan(100);
  });

  it('drops an instance that stops heartbeating once its TTL has passed', async () => {
    const ttlMs = 400;
    const record = anInstance(service);
    let appeared = false;
    const vanish = timeUntil((instances) => {
      appeared ||= instances.length > 0;
      return appeared && instances.length === 0;
    });
    await pair.writer.register(record, ttlMs);
    await waitFor(() => discovery.current(service).length === 1, 5_000, 'the instance');

    const elapsed = await vanish.seen;
    // Keyspace events: noticed when Redis expires the key (its active expiry runs 10 times a second).
    expect(elapsed).toBeGreaterThanOrEqual(ttlMs - 20);
    expect(elapsed).toBeLessThan(ttlMs + 1_000);
  });

  it('follows an instance through registerInstance: registered, status changes, deregistered', async () => {
    const registration = await registerInstance(pair.writer, anInstance(service, { status: 'starting' }), {
      heartbeatMs: 100,
      ttlMs: 400,
      ticker: intervalTicker,
    });
    await waitFor(() => discovery.current(service)[0]?.status === 'starting', 5_000, 'the starting instance');

    await registration.setStatus('healthy');
    await waitFor(() => discovery.current(service)[0]?.status === 'healthy', 5_000, 'the healthy instance');
    // Heartbeats keep it well past its TTL.
    await delay(1_000);
    expect(discovery.current(service)).toHaveLength(1);

    await registration.deregister();
    await waitFor(() => discovery.current(service).length === 0, 5_000, 'the deregistration');
  });
});

const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

describe('Discovery over RedisServiceRegistry across a Redis restart', () => {
  it('keeps heartbeating instances, and hears expiries again once Redis is back', async () => {
    const own = await startRedisNode();
    const pair = openRedisRegistryPair(own.config);
    const service = uniqueService();
    const discovery = new Discovery(pair.reader, new SystemClock(), { services: [service] });
    const survivor = await registerInstance(pair.writer, anInstance(service, { instanceId: 'survivor' }), {
      heartbeatMs: 100,
      ttlMs: 1_000,
      ticker: intervalTicker,
    });
    try {
      await discovery.start();
      await waitFor(() => discovery.current(service).length === 1, 5_000, 'the survivor');

      await own.restart({ downMs: 300 }); // without persistence: Redis comes back empty
      // The next heartbeat writes the record again; the reader resynchronises on reconnect.
      await waitFor(async () => (await pair.reader.list(service)).length === 1, 10_000, 'the survivor re-registered');
      await pair.writer.register(anInstance(service, { instanceId: 'short-lived' }), 300);
      await waitFor(() => discovery.current(service).length === 2, 5_000, 'the short-lived instance');

      // CONFIG SET was lost with the restart; the registry turned expiry events on again.
      await waitFor(() => discovery.current(service).length === 1, 5_000, 'the expiry after the restart');
      expect(discovery.current(service).map((i) => i.instanceId)).toEqual(['survivor']);
      expect(pair.reader.expiryDetection).toBe('keyspace-events');
    } finally {
      await survivor.deregister().catch(() => undefined);
      await discovery.close();
      await pair.close();
      await own.stop();
    }
  });
});
