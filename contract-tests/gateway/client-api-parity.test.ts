import { request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import type { ServiceName } from '../../composition/config.js';
import type { RunningMesh } from '../../composition/launcher.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import { waitFor } from '../messaging/wait.js';
import { h2cAgent, jsonRequest } from '../support/http2-client.js';

/**
 * One client API (docs/adr/0029, 0043): the same request sent to the gateway and to the service that
 * owns the resource, on its own HTTP port, gets the same status, a refused one the same problem body,
 * and a successful project or simulation request the same body.
 */

const STARTUP_TIMEOUT_MS = 120_000;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

interface Sent {
  readonly token?: string;
  /** JSON text sent as is (`1e308`, a 100,000-deep array); else `body` is serialised. */
  readonly raw?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const send = async (http: Dispatcher, url: string, method: Dispatcher.HttpMethod, sent: Sent = {}): Promise<Answer> => {
  const text = sent.raw ?? (sent.body === undefined ? undefined : JSON.stringify(sent.body));
  const headers: Record<string, string> = { ...sent.headers };
  if (text !== undefined) headers['content-type'] = 'application/json';
  if (sent.token !== undefined) headers.authorization = `Bearer ${sent.token}`;
  const answer = await request(url, { dispatcher: http, method, headers, body: text });
  const body = await answer.body.text();
  return { status: answer.statusCode, headers: answer.headers, body: body === '' ? undefined : JSON.parse(body) };
};

/** The body with the named keys (at any depth) replaced by their type: values two separate writes legitimately differ in. */
const withoutValues = (body: unknown, keys: ReadonlySet<string>): unknown => {
  if (Array.isArray(body)) return body.map((item) => withoutValues(item, keys));
  if (body === null || typeof body !== 'object') return body;
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, keys.has(key) ? typeof value : withoutValues(value, keys)]));
};

const deep = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe('the same client request on the gateway and on the owning service', () => {
  const http = h2cAgent();
  let mesh: RunningMesh;
  let ada: TestUser;
  let projectId: string;
  let updatedAt: number;
  let simulationId: string;
  const base = (service: ServiceName) => `http://127.0.0.1:${mesh.services.get(service)?.http.port}`;

  beforeAll(async () => {
    mesh = await startTestMesh({ GATEWAY_CORS_ORIGINS: 'https://app.example' });
    // On a loaded machine the gateway may not have found auth's HTTP port yet: wait until it forwards.
    await waitFor(
      async () => (await send(http, `${base('api-gateway')}/auth/profile`, 'GET')).status === 401,
      15_000,
      'the gateway to reach auth',
    );
    ada = await aUser(http, base('api-gateway'), 'ada');
    const created = await jsonRequest(http, 'POST', `${base('api-gateway')}/projects`, { token: ada.token, body: { name: 'Parity' } });
    projectId = created.body.project_id;
    updatedAt = (await jsonRequest(http, 'GET', `${base('api-gateway')}/projects/${projectId}`, { token: ada.token })).body.updated_at;
    const started = await jsonRequest(http, 'POST', `${base('api-gateway')}/simulations`, {
      token: ada.token,
      body: { project_id: projectId, duration_seconds: 600 },
    });
    simulationId = started.body.simulation_id;
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await http.close();
    await mesh?.stop();
  }, STARTUP_TIMEOUT_MS);

  /** Refused requests: the same status and the same problem body, field errors included. */
  const refusals = (): [ServiceName, string, Dispatcher.HttpMethod, string, Sent][] => [
    ['project', 'an unknown query parameter (the old scope=)', 'GET', '/projects?scope=owned', {}],
    ['project', 'a page size no integer holds', 'GET', '/projects?page_size=1e309', {}],
    ['project', 'a page size out of range', 'GET', '/projects?page_size=101', {}],
    ['project', 'a boolean that is not true or false', 'GET', '/projects?include_shared=yes', {}],
    ['project', 'a NUL in the query', 'GET', '/projects?status=active%00', {}],
    ['project', 'a name of 101 characters', 'POST', '/projects', { body: { name: 'n'.repeat(101) } }],
    [
      'project',
      'a NUL in a name, a description and a configuration',
      'POST',
      '/projects',
      {
        body: { name: 'a\u0000b', description: 'd\u0000', configuration: { 'k\u0000': 'v\u0000' } },
      },
    ],
    ['project', 'a name that is a number', 'POST', '/projects', { body: { name: 42 } }],
    ['project', "the other port's old field name expected_version", 'PATCH', '/projects/{project}', { body: { expected_version: 1 } }],
    ['project', 'expected_updated_at: 1e308', 'PATCH', '/projects/{project}', { raw: '{"expected_updated_at": 1e308}' }],
    ['project', 'share by the old field email', 'POST', '/projects/{project}/share', { body: { email: 'x@example.test', role: 'viewer' } }],
    [
      'project',
      'share by email to nobody',
      'POST',
      '/projects/{project}/share',
      { body: { target_email: 'nobody@example.test', role: 'viewer' } },
    ],
    ['project', 'a stale expected_updated_at', 'PATCH', '/projects/{project}', { body: { name: 'late', expected_updated_at: 1 } }],
    ['project', 'a project that does not exist', 'GET', '/projects/no-such-project', {}],
    ['project', 'a 100,000-deep report body', 'POST', '/projects/{project}/reports', { raw: deep(100_000) }],
    ['project', 'templates of page size 0', 'GET', '/templates?page_size=0', {}],
    [
      'simulation',
      'an invalid body without a token (401 before validation)',
      'POST',
      '/simulations',
      { token: undefined, body: { duration_seconds: 'x' } },
    ],
    ['project', 'an invalid body without a token (401 before validation)', 'POST', '/projects', { token: undefined, body: { name: 7 } }],
    ['simulation', 'a duration as a string', 'POST', '/simulations', { body: { project_id: '{project}', duration_seconds: '60' } }],
    ['simulation', 'a duration of 1e308', 'POST', '/simulations', { raw: '{"project_id": "{project}", "duration_seconds": 1e308}' }],
    ['simulation', 'a NUL in a component', 'POST', '/simulations/validate', { body: { components: ['a\u0000'] } }],
    ['simulation', 'metrics since 1e309', 'GET', '/simulations/{simulation}/metrics?since=1e309', {}],
    ['simulation', 'results with max_samples -1', 'GET', '/simulations/{simulation}/results?max_samples=-1', {}],
    ['simulation', 'a history of an unknown status', 'GET', '/projects/{project}/simulations?status=lost', {}],
    ['auth', 'a refresh token wrapped in an array', 'POST', '/auth/refresh', { body: { refresh_token: ['token'] } }],
    [
      'auth',
      'a NUL in a registration',
      'POST',
      '/auth/register',
      { body: { email: 'nul@example.test', password: 'correct horse battery', name: 'a\u0000' } },
    ],
    ['auth', 'a 5,000-deep login', 'POST', '/auth/login', { raw: deep(5_000) }],
    ['auth', 'a login of 20 KB', 'POST', '/auth/login', { body: { email: 'big@example.test', password: 'p'.repeat(20_000) } }],
  ];

  const fill = (text: string) => text.replaceAll('{project}', projectId).replaceAll('{simulation}', simulationId);

  it('refuses every client mistake with the same 4xx problem on both ports', async () => {
    const outcomes: string[] = [];
    for (const [service, what, method, path, sent] of refusals()) {
      const filled: Sent = { token: ada.token, ...sent, ...(sent.raw === undefined ? {} : { raw: fill(sent.raw) }) };
      const withIds = sent.body === undefined ? filled : { ...filled, body: JSON.parse(fill(JSON.stringify(sent.body))) };
      const viaGateway = await send(http, `${base('api-gateway')}${fill(path)}`, method, withIds);
      const direct = await send(http, `${base(service)}${fill(path)}`, method, withIds);
      outcomes.push(`${what}: ${viaGateway.status}`);
      expect(viaGateway.status, what).toBeGreaterThanOrEqual(400);
      expect(viaGateway.status, what).toBeLessThan(500);
      expect(String(viaGateway.headers['content-type']), what).toContain('application/problem+json');
      expect({ status: direct.status, body: direct.body }, what).toEqual({ status: viaGateway.status, body: viaGateway.body });
    }
    console.log(`[client-api-parity] ${outcomes.length} refused requests, same status and problem on both ports: ${outcomes.join('; ')}`);
  });

  it('serves the same valid requests on both ports with the same status', async () => {
    const accepted: [ServiceName, Dispatcher.HttpMethod, string, Sent][] = [
      ['project', 'GET', `/projects?include_shared=false&include_public=false&page_size=5`, {}],
      ['project', 'GET', `/projects/${projectId}?include_configuration=false`, {}],
      ['project', 'PATCH', `/projects/${projectId}`, { body: { description: 'first', expected_updated_at: 0 } }],
      ['project', 'GET', '/templates?page_size=2', {}],
      ['simulation', 'GET', `/simulations/${simulationId}/metrics?since=0&max_samples=10`, {}],
      ['simulation', 'GET', `/projects/${projectId}/simulations?page_size=1`, {}],
      [
        'simulation',
        'POST',
        '/simulations/validate',
        { body: { project_id: projectId, configuration: { services: '4' }, duration_seconds: 90 } },
      ],
    ];
    for (const [service, method, path, sent] of accepted) {
      const viaGateway = await send(http, `${base('api-gateway')}${path}`, method, { token: ada.token, ...sent });
      const direct = await send(http, `${base(service)}${path}`, method, { token: ada.token, ...sent });
      expect([viaGateway.status, direct.status], `${method} ${path}`).toEqual([200, 200]);
    }
    const listed = [base('api-gateway'), base('project')].map((url) =>
      send(http, `${url}/projects?include_shared=false&page_size=5`, 'GET', { token: ada.token }),
    );
    const [gatewayList, serviceList] = (await Promise.all(listed)).map((answer) => answer.body as { total_count: number });
    expect(serviceList?.total_count).toBe(gatewayList?.total_count);
    // The version check takes the same field on both ports: the first write moved updated_at.
    const current = (await jsonRequest(http, 'GET', `${base('api-gateway')}/projects/${projectId}`, { token: ada.token })).body.updated_at;
    expect(current).toBeGreaterThanOrEqual(updatedAt);
    const onService = await send(http, `${base('project')}/projects/${projectId}`, 'PATCH', {
      token: ada.token,
      body: { name: 'Parity 2', expected_updated_at: current },
    });
    expect(onService.status).toBe(200);
    const onGateway = await send(http, `${base('api-gateway')}/projects/${projectId}`, 'PATCH', {
      token: ada.token,
      body: { name: 'Parity 3', expected_updated_at: current },
    });
    expect(onGateway.status).toBe(409);
  });

  it('answers a successful project request with the same body on both ports', async () => {
    const bob = await aUser(http, base('api-gateway'), 'bob');
    const both = async (method: Dispatcher.HttpMethod, path: string, sent: Sent = {}) => {
      const viaGateway = await send(http, `${base('api-gateway')}${path}`, method, { token: ada.token, ...sent });
      const direct = await send(http, `${base('project')}${path}`, method, { token: ada.token, ...sent });
      expect(viaGateway.status, `${method} ${path}`).toBeLessThan(300);
      return [viaGateway, direct] as const;
    };
    const expectSame = async (method: Dispatcher.HttpMethod, path: string, sent: Sent = {}, differing: readonly string[] = []) => {
      const [viaGateway, direct] = await both(method, path, sent);
      const keys = new Set(differing);
      expect({ status: direct.status, body: withoutValues(direct.body, keys) }, `${method} ${path}`).toEqual({
        status: viaGateway.status,
        body: withoutValues(viaGateway.body, keys),
      });
      return viaGateway.body as Record<string, unknown>;
    };

    // Reads of the same resource: every value the same.
    await expectSame('PATCH', `/projects/${projectId}`, { body: { configuration: { nodes: '3' } } }, ['updated_at']);
    const read = await expectSame('GET', `/projects/${projectId}`);
    expect(read).toMatchObject({ project_id: projectId, name: expect.any(String), configuration: { nodes: '3' }, access: 'owner' });
    await expectSame('GET', `/projects/${projectId}?include_configuration=false`);
    await expectSame('GET', '/projects?include_shared=false&page_size=5');
    await expectSame('GET', '/templates?page_size=2');
    await expectSame('GET', '/templates/event-driven');
    // Writes: the same answer but for the new ids and times.
    const created = await expectSame('POST', '/projects', { body: { name: 'Twin', template_id: 'monolith' } }, [
      'project_id',
      'created_at',
    ]);
    expect(created).toMatchObject({ name: 'Twin', template_used: 'monolith', status: 'active' });
    // The first share and the first leave change something, a repeat does not: repeat them on both ports.
    const share: Sent = { token: ada.token, body: { target_email: bob.email, role: 'viewer' } };
    expect((await send(http, `${base('api-gateway')}/projects/${projectId}/share`, 'POST', share)).body).toMatchObject({ shared: true });
    const again = await expectSame('POST', `/projects/${projectId}/share`, share);
    expect(again).toMatchObject({ shared: false, target_user_id: bob.userId, role: 'viewer' });
    await expectSame('GET', `/projects/${projectId}/permissions`, {}, ['granted_at']);
    await expectSame('POST', `/projects/${projectId}/collaboration`, { body: {} }, ['joined_at']);
    expect((await send(http, `${base('project')}/projects/${projectId}/collaboration`, 'DELETE', { token: ada.token })).body).toEqual({
      left: true,
      remaining_collaborators: 0,
    });
    await expectSame('DELETE', `/projects/${projectId}/collaboration`);
    const twins = await Promise.all(
      [0, 1].map(
        async () => (await jsonRequest(http, 'POST', `${base('api-gateway')}/projects`, { token: ada.token, body: { name: 'Gone' } })).body,
      ),
    );
    const removed = await Promise.all(
      twins.map(async (twin, index) =>
        send(http, `${base(index === 0 ? 'api-gateway' : 'project')}/projects/${twin.project_id}`, 'DELETE', { token: ada.token }),
      ),
    );
    const keys = new Set(['project_id', 'deleted_at']);
    expect({ status: removed[1]?.status, body: withoutValues(removed[1]?.body, keys) }).toEqual({
      status: removed[0]?.status,
      body: withoutValues(removed[0]?.body, keys),
    });
    expect(removed[0]?.body).toEqual({ deleted: true, project_id: twins[0].project_id, deleted_at: expect.any(Number) });
  });

  it('answers a successful simulation request with the same body on both ports', async () => {
    /** `stream_url` is the gateway's own WebSocket (docs/adr/0043): the one field only it adds. */
    const both = async (method: Dispatcher.HttpMethod, path: string, sent: Sent, differing: readonly string[] = []) => {
      const viaGateway = await send(http, `${base('api-gateway')}${path}`, method, { token: ada.token, ...sent });
      const direct = await send(http, `${base('simulation')}${path}`, method, { token: ada.token, ...sent });
      expect(viaGateway.status, `${method} ${path}`).toBeLessThan(300);
      const keys = new Set(differing);
      const { stream_url: streamUrl, ...gatewayBody } = viaGateway.body as Record<string, unknown>;
      if (method === 'POST' && path === '/simulations') expect(streamUrl).toMatch(/^\/simulation\/stream\?simulation_id=/);
      expect({ status: direct.status, body: withoutValues(direct.body, keys) }, `${method} ${path}`).toEqual({
        status: viaGateway.status,
        body: withoutValues(gatewayBody, keys),
      });
      return [viaGateway.body, direct.body] as [Record<string, unknown>, Record<string, unknown>];
    };
    const [started, alsoStarted] = await both('POST', '/simulations', { body: { project_id: projectId, duration_seconds: 120 } }, [
      'simulation_id',
      'started_at',
      'websocket_channel',
    ]);
    expect(started).toMatchObject({ status: 'running', estimated_duration: 120 });
    await both('POST', '/simulations/validate', {
      body: { project_id: projectId, configuration: { nodes: '0' }, duration_seconds: 4_000 },
    });
    for (const id of [started.simulation_id, alsoStarted.simulation_id]) {
      expect((await send(http, `${base('simulation')}/simulations/${String(id)}/stop`, 'POST', { token: ada.token })).status).toBe(200);
    }
    // Stopped runs no longer change: every read of the same run answers the same.
    const stopped = String(started.simulation_id);
    await both('GET', `/simulations/${stopped}`, {});
    await both('POST', `/simulations/${stopped}/stop`, { body: { reason: 'again' } });
    await both('GET', `/simulations/${stopped}/results?include_samples=true&max_samples=5`, {});
    await both('GET', `/simulations/${stopped}/metrics?since=0&max_samples=5`, {});
    await both('GET', `/projects/${projectId}/simulations?status=stopped&page_size=5`, {});
  });

  it("puts the gateway's defences on every service port: security headers and the CORS allow-list", async () => {
    for (const service of ['api-gateway', 'auth', 'project', 'simulation'] as const) {
      const health = await send(http, `${base(service)}/health`, 'GET');
      expect(health.headers['x-content-type-options'], service).toBe('nosniff');
      expect(health.headers['x-frame-options'], service).toBe('DENY');
      expect(health.headers['referrer-policy'], service).toBe('no-referrer');
      const foreign = await send(http, `${base(service)}/health`, 'GET', { headers: { origin: 'https://evil.example' } });
      expect(foreign.status, service).toBe(403);
      const preflight = await send(http, `${base(service)}/projects`, 'OPTIONS', {
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status, service).toBe(204);
      expect(preflight.headers['access-control-allow-origin'], service).toBe('https://app.example');
    }
  });
});

describe('with MESH_CLIENT_ENTRY=gateway and a low per-address limit', () => {
  const http = h2cAgent();
  let mesh: RunningMesh;
  const base = (service: ServiceName) => `http://127.0.0.1:${mesh.services.get(service)?.http.port}`;

  beforeAll(async () => {
    // The client API's limits are one set of settings, which every port applies.
    mesh = await startTestMesh({ MESH_CLIENT_ENTRY: 'gateway', GATEWAY_RATE_BURST_PER_ADDRESS: '20', GATEWAY_RATE_PER_ADDRESS: '1' });
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await http.close();
    await mesh?.stop();
  }, STARTUP_TIMEOUT_MS);

  it("serves no project or simulation client route on the services' ports, and still limits and guards them", async () => {
    expect((await send(http, `${base('project')}/projects`, 'GET')).status).toBe(404);
    expect((await send(http, `${base('simulation')}/simulations/validate`, 'POST', { body: {} })).status).toBe(404);
    const health = await send(http, `${base('project')}/health`, 'GET');
    expect(health.status).toBe(200);
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    const statuses: number[] = [];
    for (let index = 0; index < 30; index += 1) statuses.push((await send(http, `${base('simulation')}/health`, 'GET')).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(21);
  });
});
