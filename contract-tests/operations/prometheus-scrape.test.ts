import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMesh } from '../../composition/launcher.js';
import { h2cAgent, jsonRequest } from '../support/http2-client.js';
import { alertExpressions, withGrafanaVariables } from '../../test-support/alert-rules.js';
import { documentedMetricFamilies } from '../../test-support/documented-metric-families.js';
import { expressionsOf, grafanaDashboards } from '../../test-support/grafana-dashboards.js';
import { parsePrometheusText } from '../../test-support/prometheus-text.js';
import { startPrometheus, type PrometheusServer } from '../../test-support/prometheus-server.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { startTestMesh } from '../../test-support/test-mesh.js';

interface Target {
  readonly scrapeUrl: string;
  readonly health: string;
  readonly lastScrape: string;
}
interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Real Prometheus (Debian's 2.42) scraping every service's GET /metrics of a mesh on Redis. */
describe('a real Prometheus scraping the mesh', () => {
  let redis: RedisFixture;
  let mesh: RunningMesh;
  let prometheus: PrometheusServer;
  const http2 = h2cAgent();
  const ports: number[] = [];

  const query = (promql: string): Promise<{ result: VectorSample[] }> =>
    prometheus.api(`/api/v1/query?query=${encodeURIComponent(promql)}`);

  /** Resolves once every target has been scraped, healthy, after `after` (ms since the epoch). */
  const scrapedSince = async (after: number, timeoutMs = 20_000): Promise<Target[]> => {
    let targets: Target[] = [];
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
      targets = (await prometheus.api<{ activeTargets: Target[] }>('/api/v1/targets?state=active')).activeTargets;
      if (targets.length === ports.length && targets.every((t) => t.health === 'up' && Date.parse(t.lastScrape) > after)) return targets;
    }
    throw new Error(`targets not all scraped healthy since ${new Date(after).toISOString()}: ${JSON.stringify(targets)}`);
  };

  beforeAll(async () => {
    redis = await startRedisNode();
    if (redis.config.kind !== 'node') throw new Error('expected one Redis node');
    mesh = await startTestMesh({
      REDIS_URL: redis.config.url,
      GATEWAY_AUTH_TIMEOUT_MS: '15000',
      GATEWAY_PROJECT_TIMEOUT_MS: '15000',
      GATEWAY_SIMULATION_TIMEOUT_MS: '15000',
    });
    for (const instance of mesh.services.values()) ports.push(instance.http.port);
    prometheus = await startPrometheus({ targets: ports.map((port) => `127.0.0.1:${port}`), scrapeIntervalSeconds: 1 });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await http2.close();
    await mesh?.stop();
    await redis?.stop();
  });

  it(
    'scrapes every service port, and its API knows every documented family with its type and every sampled series',
    { timeout: 90_000 },
    async () => {
      expect(ports).toHaveLength(4);
      // Traffic through the gateway, so the mesh, messaging and HTTP families have series.
      const gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
      const auth = `http://127.0.0.1:${mesh.services.get('auth')!.http.port}`;
      const credentials = { email: 'prometheus@example.com', password: 'correct horse battery' };
      expect((await jsonRequest(http2, 'POST', `${auth}/auth/register`, { body: { ...credentials, name: 'Pro' } })).status).toBe(201);
      const token: string = (await jsonRequest(http2, 'POST', `${auth}/auth/login`, { body: credentials })).body.access_token;
      for (let call = 0; call < 5; call += 1) expect((await jsonRequest(http2, 'GET', `${gateway}/projects`, { token })).status).toBe(200);
      const project = await jsonRequest(http2, 'POST', `${gateway}/projects`, {
        token,
        body: { name: 'Scraped', template_id: 'microservices' },
      });
      expect(project.status).toBe(201);

      // What the services serve now; Prometheus must hold all of it after its next scrape.
      const served = await Promise.all(
        ports.map(async (port) => parsePrometheusText(await (await request(`http://127.0.0.1:${port}/metrics`)).body.text())),
      );
      await scrapedSince(Date.now());

      const documented = documentedMetricFamilies();
      expect(documented.length).toBeGreaterThanOrEqual(40);
      const metadata = await prometheus.api<Record<string, { type: string }[]>>('/api/v1/metadata');
      expect(documented.filter(({ name, type }) => !metadata[name]?.some((entry) => entry.type === type))).toEqual([]);

      const up = await query('up{job="meshwork"}');
      expect(up.result.map((sample) => sample.value[1])).toEqual(['1', '1', '1', '1']);

      const sampled = new Set(
        served.flatMap((text) => text.samples.map((sample) => sample.name)).filter((name) => name.startsWith('meshwork_')),
      );
      expect(sampled.size).toBeGreaterThanOrEqual(30);
      const stored = new Set(
        (await query('count by (__name__) ({__name__=~"meshwork_.+"})')).result.map((sample) => sample.metric.__name__!),
      );
      expect([...sampled].filter((name) => !stored.has(name))).toEqual([]);
      for (const family of documented) {
        const names = family.type === 'histogram' ? [`${family.name}_bucket`, `${family.name}_count`, `${family.name}_sum`] : [family.name];
        if (!names.some((name) => sampled.has(name))) continue;
        const series = await query(`count(${names[0]!})`);
        expect(Number(series.result[0]?.value[1] ?? 0), family.name).toBeGreaterThanOrEqual(1);
      }

      // The families the dashboards and alerts lean on hold the traffic above.
      const listed = await query(
        'sum(meshwork_http_request_duration_seconds_count{service="api-gateway", route="/projects", method="GET"})',
      );
      expect(Number(listed.result[0]?.value[1])).toBeGreaterThanOrEqual(5);
      const inRotation = await query('sum by (service) (meshwork_mesh_pool_connections{state="in_rotation", service="project"})');
      expect(Number(inRotation.result[0]?.value[1])).toBeGreaterThanOrEqual(5);
      const redisUp = await query('meshwork_redis_up');
      expect(redisUp.result.length).toBeGreaterThanOrEqual(1);
      expect(redisUp.result.every((sample) => sample.value[1] === '1')).toBe(true);
    },
  );

  it(
    'evaluates every dashboard query and every alert expression without an error, most dashboard queries with data',
    { timeout: 60_000 },
    async () => {
      await scrapedSince(Date.now());
      const alerts = alertExpressions();
      expect(alerts.length).toBeGreaterThanOrEqual(10);
      for (const { alert, expr } of alerts) await expect(query(expr), alert).resolves.toBeDefined();
      let queries = 0;
      let withData = 0;
      for (const { file, dashboard } of grafanaDashboards()) {
        for (const { where, expr } of expressionsOf(dashboard)) {
          const promql = withGrafanaVariables(expr);
          const answer = await query(promql).catch((error: Error) => expect.fail(`${file} ${where}: ${promql}: ${error.message}`));
          queries += 1;
          if (answer.result.length > 0) withData += 1;
        }
      }
      expect(queries).toBeGreaterThanOrEqual(40);
      // Failure counters (rejections, denials, dead letters...) stay empty on a healthy mesh; the rest answer.
      expect(withData / queries).toBeGreaterThanOrEqual(0.75);
    },
  );
});
