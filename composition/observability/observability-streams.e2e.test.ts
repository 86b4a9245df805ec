import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Streams } from '../../core/messaging/channels.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { ServiceNames } from '../config.js';
import { startMesh, type RunningMesh } from '../launcher.js';
import { testMeshConfig } from '../../test-support/test-mesh.js';
import { parsePrometheusText, sampleSum } from '../../test-support/prometheus-text.js';
import { testLogger } from '../../test-support/test-logger.js';

type Entry = Record<string, string>;

const entriesOf = async (redis: Redis, stream: string): Promise<Entry[]> => {
  const raw = await redis.xrange(stream, '-', '+');
  return raw.map(([, fields]) =>
    Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i]!, fields[2 * i + 1]!])),
  );
};

describe('health and summary metrics on Redis streams', () => {
  let redisServer: RedisFixture;
  let redis: Redis;
  let mesh: RunningMesh;

  beforeAll(async () => {
    redisServer = await startRedisNode();
    if (redisServer.config.kind !== 'node') throw new Error('expected one Redis node');
    redis = new Redis(redisServer.config.url);
    // The test's own reader reconnects by itself while Redis restarts.
    redis.on('error', () => undefined);
    mesh = await startMesh({
      config: testMeshConfig({ REDIS_URL: redisServer.config.url }),
      logger: testLogger('observability-streams-test'),
      services: ServiceNames,
      streamIntervals: { healthMs: 200, metricsMs: 300 },
    });
  });

  afterAll(async () => {
    await mesh?.stop();
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('publishes every instance to system:stream:health, healthy once its dependencies are ready', async () => {
    const latestByService = async () => {
      const latest = new Map<string, Entry>();
      for (const entry of await entriesOf(redis, Streams.systemHealth)) latest.set(entry.service!, entry);
      return latest;
    };
    await waitFor(
      async () => [...(await latestByService()).values()].filter((entry) => entry.status === 'healthy').length === 4,
      20_000,
      'four healthy instances',
    );
    const latest = await latestByService();
    for (const service of ServiceNames) {
      const running = mesh.services.get(service)!;
      const entry = latest.get(service)!;
      expect(entry).toMatchObject({
        instance_id: running.instanceId,
        status: 'healthy',
        grpc_port: String(running.grpc.port),
        http_port: String(running.http.port),
        pid: String(process.pid),
      });
      expect(Math.abs(Date.now() - Number(entry.timestamp))).toBeLessThan(10_000);
      expect(Number(entry.uptime_ms)).toBeGreaterThanOrEqual(0);
    }
    // Gateways reach one another too (GatewayService forwards to the instance holding a client, ADR 0052).
    expect(JSON.parse(latest.get('api-gateway')!.dependencies!)).toEqual({
      'api-gateway': 'READY',
      auth: 'READY',
      project: 'READY',
      simulation: 'READY',
    });
  });

  it('publishes the process summary to monitoring:stream:metrics', async () => {
    await waitFor(async () => (await entriesOf(redis, Streams.monitoringMetrics)).length >= 2, 20_000, 'two summaries');
    const summaries = await entriesOf(redis, Streams.monitoringMetrics);
    const last = summaries.at(-1)!;
    expect(last).toMatchObject({ pid: String(process.pid), instances: '4', mesh_connection_limit: '1000' });
    expect(last.services!.split(',').sort()).toEqual([...ServiceNames].sort());
    expect(Number(last.mesh_connections)).toBeGreaterThanOrEqual(15);
    expect(Number(last.interval_ms)).toBeGreaterThan(0);
    // The health entries appended since the previous summary are counted among them.
    expect(Number(last.messages_published)).toBeGreaterThanOrEqual(4);
    for (const field of ['requests_per_second', 'error_rate', 'latency_p99_ms', 'health_check_success_rate', 'messages_per_second']) {
      expect(Number.isFinite(Number(last[field])), field).toBe(true);
    }
  });

  it('counts the appends and reads the Redis server at scrape time', async () => {
    const response = await request(`http://127.0.0.1:${mesh.services.get('project')!.http.port}/metrics`);
    const scraped = parsePrometheusText(await response.body.text());
    expect(sampleSum(scraped, 'meshwork_redis_up')).toBe(1);
    expect(sampleSum(scraped, 'meshwork_redis_clients', { state: 'connected' })).toBeGreaterThanOrEqual(3);
    expect(
      sampleSum(scraped, 'meshwork_messages_published_total', { family: 'system:stream:health', transport: 'stream' }),
    ).toBeGreaterThanOrEqual(4);
  });

  it('reports the gateway degraded once a service it calls is gone', async () => {
    await mesh.services.get('simulation')!.stop();
    await waitFor(
      async () => {
        const gateway = (await entriesOf(redis, Streams.systemHealth)).filter((entry) => entry.service === 'api-gateway').at(-1);
        return gateway?.status === 'degraded' && JSON.parse(gateway.dependencies!).simulation !== 'READY';
      },
      20_000,
      'the gateway reported degraded',
    );
  });

  it('keeps answering scrapes while Redis is away, with meshwork_redis_up 0', async () => {
    const scrape = async () => {
      const started = Date.now();
      const response = await request(`http://127.0.0.1:${mesh.services.get('auth')!.http.port}/metrics`);
      expect(response.statusCode).toBe(200);
      const scraped = parsePrometheusText(await response.body.text());
      expect(Date.now() - started).toBeLessThan(5_000);
      return scraped;
    };
    const back = redisServer.restart({ downMs: 3_000 });
    let down = false;
    await waitFor(
      async () => {
        const scraped = await scrape();
        down = sampleSum(scraped, 'meshwork_redis_up') === 0;
        if (down) expect(scraped.samples.filter((sample) => sample.name === 'meshwork_redis_clients')).toEqual([]);
        return down;
      },
      10_000,
      'a scrape with Redis down',
    );
    await back;
    await waitFor(async () => sampleSum(await scrape(), 'meshwork_redis_up') === 1, 20_000, 'Redis back in the scrape');
  });
});
