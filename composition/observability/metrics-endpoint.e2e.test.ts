import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import type { RunningMesh } from '../launcher.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import { parsePrometheusText, sampleSum, type PrometheusText } from '../../test-support/prometheus-text.js';

/** The families the metrics table of docs/metrics.md names, read from it: the table and the scrape must agree. */
const documentedFamilies = (): string[] => {
  const readme = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  return [...readme.matchAll(/^\| `(meshwork_[a-z_]+)` \|/gm)].map((match) => match[1]!);
};

const boundedLabels: Readonly<Record<string, RegExp>> = {
  service: /^(auth|project|simulation|api-gateway)$/,
  from: /^(auth|project|simulation|api-gateway)$/,
  to: /^(auth|project|simulation|api-gateway)$/,
  transport: /^(pubsub|stream)$/,
  stage: /^(publish|handler|read)$/,
  status_class: /^[1-5]xx$/,
  method: /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/,
  // Route templates, never a URL with an id in it.
  route: /^(unmatched|\/[a-z0-9_/:.*-]*)$/,
  // A channel named in full, or two segments and a star: never an id.
  family: /^([a-z_]+:[a-z_]+(:[a-z_]+(:dead)?|:\*)|[a-z_]+:\*|system:announcements)$/,
};

describe('GET /metrics on every service port', () => {
  let mesh: RunningMesh;
  const http2 = h2cAgent();
  let gateway: string;

  const scrape = async (port: number): Promise<PrometheusText & { raw: string; contentType: string }> => {
    const response = await request(`http://127.0.0.1:${port}/metrics`);
    expect(response.statusCode).toBe(200);
    const raw = await response.body.text();
    return { ...parsePrometheusText(raw), raw, contentType: String(response.headers['content-type']) };
  };

  beforeAll(async () => {
    // Generous deadlines: the machine running the tests may be busy.
    mesh = await startTestMesh({
      GATEWAY_AUTH_TIMEOUT_MS: '15000',
      GATEWAY_PROJECT_TIMEOUT_MS: '15000',
      GATEWAY_SIMULATION_TIMEOUT_MS: '15000',
    });
    gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
  });

  afterAll(async () => {
    await http2.close();
    await mesh?.stop();
  });

  it('serves the Prometheus text format with exactly the families docs/metrics.md documents, on each service port', async () => {
    const documented = documentedFamilies();
    expect(documented.length).toBeGreaterThanOrEqual(40);
    for (const instance of mesh.services.values()) {
      const scraped = await scrape(instance.http.port);
      expect(scraped.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(documented.filter((name) => !scraped.types.has(name))).toEqual([]);
      expect([...scraped.types.keys()].filter((name) => name.startsWith('meshwork_') && !documented.includes(name))).toEqual([]);
      expect(scraped.types.get('meshwork_message_delivery_latency_seconds')).toBe('histogram');
      expect(scraped.types.get('meshwork_mesh_pool_rejected_total')).toBe('counter');
    }
  });

  it(
    'moves with traffic: pools of 5+ connections, calls per instance, a login published and delivered with its latency',
    { timeout: 60_000 },
    async () => {
      const email = 'metrics@example.com';
      const password = 'correct horse battery';
      // Accounts on auth's own port; the gateway's calls below go through the mesh clients.
      const auth = `http://127.0.0.1:${mesh.services.get('auth')!.http.port}`;
      const registered = await jsonRequest(http2, 'POST', `${auth}/auth/register`, { body: { email, password, name: 'Mo' } });
      expect(registered, JSON.stringify(registered.body)).toMatchObject({ status: 201 });
      const login = await jsonRequest(http2, 'POST', `${auth}/auth/login`, { body: { email, password } });
      const token: string = login.body.access_token;
      const userId: string = login.body.user?.id ?? login.body.user_id;
      for (let call = 0; call < 10; call += 1) expect((await jsonRequest(http2, 'GET', `${gateway}/projects`, { token })).status).toBe(200);
      const project = await jsonRequest(http2, 'POST', `${gateway}/projects`, {
        token,
        body: { name: 'Metered', template_id: 'microservices' },
      });
      expect(project.status).toBe(201);
      const simulation = await jsonRequest(http2, 'POST', `${gateway}/simulations`, {
        token,
        body: { project_id: project.body.project_id, duration_seconds: 1, enable_real_time: true },
      });
      expect(simulation.status).toBe(201);
      const port = mesh.services.get('auth')!.http.port;

      let scraped = await scrape(port);
      await waitFor(
        async () => {
          scraped = await scrape(port);
          return (
            sampleSum(scraped, 'meshwork_message_delivery_latency_seconds_count', { family: 'auth:events:login', transport: 'pubsub' }) >=
              1 &&
            sampleSum(scraped, 'meshwork_messages_published_total', { family: 'simulation:stream:*', transport: 'stream' }) >= 1 &&
            // Awaited, not read once: a CI run scraped before the count of calls to one of them had moved.
            ['auth', 'project'].every((service) => sampleSum(scraped, 'meshwork_mesh_instance_requests_total', { service }) >= 1)
          );
        },
        20_000,
        'the login event delivered, simulation samples appended, calls counted on auth and project',
      );

      for (const target of ['auth', 'project']) {
        const pools = scraped.samples.filter(
          (s) => s.name === 'meshwork_mesh_pool_connections' && s.labels.service === target && s.labels.state === 'in_rotation',
        );
        expect(pools.length).toBeGreaterThanOrEqual(1);
        for (const pool of pools) expect(pool.value).toBeGreaterThanOrEqual(5);
        expect(sampleSum(scraped, 'meshwork_mesh_instance_requests_total', { service: target })).toBeGreaterThanOrEqual(1);
      }
      expect(sampleSum(scraped, 'meshwork_mesh_instance_requests_total', { service: 'project' })).toBeGreaterThanOrEqual(10);
      expect(sampleSum(scraped, 'meshwork_mesh_connections')).toBeGreaterThanOrEqual(10);
      expect(sampleSum(scraped, 'meshwork_mesh_connections_limit')).toBe(1000);
      expect(sampleSum(scraped, 'meshwork_mesh_breaker_state', { service: 'auth', state: 'closed' })).toBeGreaterThanOrEqual(1);
      expect(
        sampleSum(scraped, 'meshwork_messages_published_total', { family: 'auth:events:login', transport: 'pubsub' }),
      ).toBeGreaterThanOrEqual(1);
      expect(sampleSum(scraped, 'meshwork_discovery_instances', { service: 'auth', state: 'in_rotation' })).toBe(1);
      expect(sampleSum(scraped, 'meshwork_subscriptions', { family: 'auth:events:*' })).toBeGreaterThanOrEqual(1);
      const listed = { service: 'api-gateway', route: '/projects', method: 'GET', status_class: '2xx' };
      expect(sampleSum(scraped, 'meshwork_http_request_duration_seconds_count', listed)).toBeGreaterThanOrEqual(10);

      // Bounded labels: no user, project or simulation id anywhere, every bounded label in its set.
      for (const id of [userId, project.body.project_id, simulation.body.simulation_id]) {
        expect(typeof id).toBe('string');
        expect(scraped.raw).not.toContain(id);
      }
      for (const sample of scraped.samples) {
        for (const [label, allowed] of Object.entries(boundedLabels)) {
          if (sample.labels[label] !== undefined) expect(sample.labels[label], `${sample.name} ${label}`).toMatch(allowed);
        }
      }
    },
  );

  it('serves the same process registry on the gateway port, without a token', async () => {
    const scraped = await scrape(mesh.services.get('api-gateway')!.http.port);
    expect(sampleSum(scraped, 'meshwork_mesh_registered_instances')).toBe(4);
  });
});
