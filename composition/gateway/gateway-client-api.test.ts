import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import type { RunningService } from '../service-server.js';
import { startGatewayTestBed, type GatewayTestBed } from '../../test-support/gateway-test-bed.js';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';

/** Four services start and stop here; a loaded 2-core machine needs more than the default hook timeout. */
const STARTUP_TIMEOUT_MS = 90_000;
describe('the gateway client API over HTTP/2, in front of the real auth, project and simulation services', () => {
  let bed: GatewayTestBed;
  let gateway: RunningService;
  let base: string;
  let ada: TestUser;
  let bob: TestUser;
  const http = h2cAgent();

  beforeAll(async () => {
    bed = await startGatewayTestBed();
    gateway = await bed.startGateway({ instanceId: 'gw-api', corsOrigins: ['https://app.example'] });
    base = `http://127.0.0.1:${gateway.http.port}`;
    ada = await aUser(http, base, 'ada');
    bob = await aUser(http, base, 'bob');
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    await http.close();
    await bed?.stop();
  }, STARTUP_TIMEOUT_MS);

  describe('auth routes, passed on to the auth service unchanged', () => {
    it('registers, logs in, reads and changes the profile, and logs out', async () => {
      const user = await aUser(http, base, 'carol');
      const profile = await jsonRequest(http, 'GET', `${base}/auth/profile`, { token: user.token });
      expect(profile).toMatchObject({ status: 200, body: { user: { id: user.userId, email: user.email } } });

      const renamed = await jsonRequest(http, 'PATCH', `${base}/auth/profile`, { token: user.token, body: { name: 'Carol' } });
      expect(renamed.body.user.name).toBe('Carol');

      expect((await jsonRequest(http, 'POST', `${base}/auth/logout`, { token: user.token })).status).toBe(204);
      const after = await jsonRequest(http, 'GET', `${base}/auth/profile`, { token: user.token });
      expect(after.status).toBe(401);
    });

    it("passes the auth service's problems through, with the request id", async () => {
      const answer = await request(`${base}/auth/register`, {
        dispatcher: http,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-123' },
        body: JSON.stringify({ email: 'x' }),
      });
      const body = (await answer.body.json()) as { status: number; errors: unknown[] };
      expect(answer.statusCode).toBe(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.headers['x-request-id']).toBe('req-123');
      expect(body.errors.length).toBeGreaterThan(0);
    });
  });

  describe('projects and templates, over gRPC', () => {
    it('creates, reads, lists, updates and deletes a project, in snake_case JSON', async () => {
      const created = await jsonRequest(http, 'POST', `${base}/projects`, {
        token: ada.token,
        body: { name: 'Payments', description: 'p', configuration: { replicas: '3' } },
      });
      expect(created).toMatchObject({
        status: 201,
        body: { project_id: expect.any(String), name: 'Payments', created_at: expect.any(Number) },
      });
      const id: string = created.body.project_id;

      const read = await jsonRequest(http, 'GET', `${base}/projects/${id}`, { token: ada.token });
      expect(read.body).toMatchObject({ project_id: id, owner_id: ada.userId, configuration: { replicas: '3' } });

      const listed = await jsonRequest(http, 'GET', `${base}/projects?page_size=10`, { token: ada.token });
      expect(listed.body.projects.map((project: { project_id: string }) => project.project_id)).toContain(id);
      expect(listed.body).toHaveProperty('total_count');

      const updated = await jsonRequest(http, 'PATCH', `${base}/projects/${id}`, { token: ada.token, body: { name: 'Payments v2' } });
      expect(updated.body.project).toMatchObject({ project_id: id, name: 'Payments v2', role: 'owner' });

      expect((await jsonRequest(http, 'GET', `${base}/projects/${id}`, { token: bob.token })).status).toBe(404);
      expect((await jsonRequest(http, 'DELETE', `${base}/projects/${id}`, { token: bob.token })).status).toBe(404);
      const deleted = await jsonRequest(http, 'DELETE', `${base}/projects/${id}`, { token: ada.token });
      expect(deleted.body).toMatchObject({ deleted: true, project_id: id });
    });

    it('shares a project and lists who may access it', async () => {
      const id = (await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name: 'Shared' } })).body.project_id;

      const shared = await jsonRequest(http, 'POST', `${base}/projects/${id}/share`, {
        token: ada.token,
        body: { target_email: bob.email, role: 'viewer' },
      });
      expect(shared.body).toMatchObject({ shared: true, target_user_id: bob.userId, role: 'viewer' });

      const permissions = await jsonRequest(http, 'GET', `${base}/projects/${id}/permissions`, { token: bob.token });
      expect(permissions.body.permissions.map((p: { user_id: string; role: string }) => [p.user_id, p.role])).toEqual(
        expect.arrayContaining([
          [ada.userId, 'owner'],
          [bob.userId, 'viewer'],
        ]),
      );
      expect((await jsonRequest(http, 'GET', `${base}/projects/${id}`, { token: bob.token })).status).toBe(200);
    });

    it('joins and leaves the collaboration session', async () => {
      const id = (await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name: 'Collab' } })).body.project_id;
      const joined = await jsonRequest(http, 'POST', `${base}/projects/${id}/collaboration`, { token: ada.token, body: {} });
      expect(joined.body).toMatchObject({ joined: true, stream_key: `collaboration:stream:${id}` });
      const left = await jsonRequest(http, 'DELETE', `${base}/projects/${id}/collaboration`, { token: ada.token });
      expect(left).toMatchObject({ status: 200, body: { left: true } });
    });

    it('lists templates and reads one', async () => {
      const templates = await jsonRequest(http, 'GET', `${base}/templates`, { token: ada.token });
      expect(templates.status).toBe(200);
      expect(templates.body.templates.length).toBeGreaterThan(0);
      const first = templates.body.templates[0];
      const one = await jsonRequest(http, 'GET', `${base}/templates/${first.template_id}`, { token: ada.token });
      expect(one.body.template).toMatchObject({ template_id: first.template_id, name: first.name });
    });

    it('refuses invalid bodies, params and queries with field errors', async () => {
      const noName = await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { description: 'x' } });
      expect(noName.status).toBe(400);
      expect(noName.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));
      expect((await jsonRequest(http, 'GET', `${base}/projects/%24%7Bid%7D`, { token: ada.token })).status).toBe(400);
      expect((await jsonRequest(http, 'GET', `${base}/projects?page_size=1000`, { token: ada.token })).status).toBe(400);
      const both = await jsonRequest(http, 'POST', `${base}/projects/p1/share`, {
        token: ada.token,
        body: { target_email: 'a@b.c', target_user_id: 'u', role: 'viewer' },
      });
      expect(both.status).toBe(400);
    });

    it('answers 401 problem+json without a valid token', async () => {
      const none = await jsonRequest(http, 'GET', `${base}/projects`);
      const forged = await jsonRequest(http, 'GET', `${base}/projects`, { token: 'not.a.token' });
      for (const answer of [none, forged]) {
        expect(answer.status).toBe(401);
        expect(answer.headers['content-type']).toContain('application/problem+json');
        expect(answer.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('refuses an anonymous caller before reading its body: 401, not field errors', async () => {
      const answers = await Promise.all([
        jsonRequest(http, 'POST', `${base}/projects`, { body: { name: '', unexpected: true } }),
        jsonRequest(http, 'POST', `${base}/simulations`, { body: { duration_seconds: -1 } }),
        jsonRequest(http, 'POST', `${base}/simulations/x/exports`, { body: { format: 42 } }),
      ]);
      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(JSON.stringify(answer.body)).not.toContain('unexpected');
      }
    });
  });

  describe('simulations', () => {
    let projectId: string;
    beforeAll(async () => {
      projectId = (await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name: 'Sim' } })).body.project_id;
    });

    it('starts a simulation after checking the project, then reads, stops and analyses it', async () => {
      const started = await jsonRequest(http, 'POST', `${base}/simulations`, {
        token: ada.token,
        body: { project_id: projectId, duration_seconds: 60 },
      });
      expect(started).toMatchObject({ status: 201, body: { simulation_id: expect.any(String), status: 'running' } });
      const id: string = started.body.simulation_id;
      expect(started.body.stream_url).toBe(`/simulation/stream?simulation_id=${id}`);

      const status = await jsonRequest(http, 'GET', `${base}/simulations/${id}`, { token: ada.token });
      expect(status.body).toMatchObject({ simulation_id: id, status: 'running' });

      const stopped = await jsonRequest(http, 'POST', `${base}/simulations/${id}/stop`, { token: ada.token, body: { reason: 'enough' } });
      expect(stopped.body).toMatchObject({ stopped: true, simulation_id: id });

      const results = await jsonRequest(http, 'GET', `${base}/simulations/${id}/results?include_samples=true`, { token: ada.token });
      expect(results.body).toMatchObject({ simulation_id: id, project_id: projectId });
      const metrics = await jsonRequest(http, 'GET', `${base}/simulations/${id}/metrics`, { token: ada.token });
      expect(metrics.body).toMatchObject({ simulation_id: id, stream_key: `simulation:stream:${id}` });
      const analysis = await jsonRequest(http, 'GET', `${base}/simulations/${id}/analysis`, { token: ada.token });
      expect(analysis.status).toBe(200);
      expect(analysis.body).toHaveProperty('overall_score');

      const history = await jsonRequest(http, 'GET', `${base}/projects/${projectId}/simulations`, { token: ada.token });
      expect(history.body.simulations.map((s: { simulation_id: string }) => s.simulation_id)).toContain(id);
      const mine = await jsonRequest(http, 'GET', `${base}/simulations`, { token: ada.token });
      expect(mine.body.total_count).toBeGreaterThan(0);
    });

    it('answers 404 for a project the user cannot read, before asking the simulation service', async () => {
      const answer = await jsonRequest(http, 'POST', `${base}/simulations`, { token: bob.token, body: { project_id: projectId } });
      expect(answer).toMatchObject({ status: 404, body: { type: 'urn:meshwork:problem:project_not_found' } });
    });

    it('validates a configuration', async () => {
      const answer = await jsonRequest(http, 'POST', `${base}/simulations/validate`, {
        token: ada.token,
        body: { project_id: projectId, duration_seconds: 30 },
      });
      expect(answer).toMatchObject({ status: 200, body: { valid: expect.any(Boolean) } });
    });
  });

  describe('reports and exports, passed on to the project service', () => {
    it('queues a report and an export and reads the export back', async () => {
      const projectId = (await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name: 'Rep' } })).body.project_id;
      const report = await jsonRequest(http, 'POST', `${base}/projects/${projectId}/reports`, { token: ada.token, body: {} });
      expect(report.status).toBe(202);
      expect(report.headers['location']).toMatch(/^\/exports\//);

      const simulationId = (
        await jsonRequest(http, 'POST', `${base}/simulations`, {
          token: ada.token,
          body: { project_id: projectId, duration_seconds: 5, enable_real_time: false },
        })
      ).body.simulation_id;
      const exported = await jsonRequest(http, 'POST', `${base}/simulations/${simulationId}/exports`, {
        token: ada.token,
        body: { format: 'json' },
      });
      expect(exported.status).toBe(202);
      const location = exported.headers['location'] as string;
      const read = await jsonRequest(http, 'GET', `${base}${location}`, { token: ada.token });
      expect([200, 202]).toContain(read.status);
      expect((await jsonRequest(http, 'GET', `${base}${location}`, { token: bob.token })).status).toBe(404);
    });
  });

  describe('cross-cutting', () => {
    it('sends the security headers on every answer, errors included', async () => {
      for (const answer of [await jsonRequest(http, 'GET', `${base}/health`), await jsonRequest(http, 'GET', `${base}/nowhere`)]) {
        expect(answer.headers).toMatchObject({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
        });
        expect(answer.headers['strict-transport-security']).toBeUndefined();
      }
    });

    it('answers CORS preflights for allowed origins and refuses other origins', async () => {
      const preflight = await request(`${base}/projects`, {
        dispatcher: http,
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
      await preflight.body.text();
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');

      const foreign = await request(`${base}/projects`, { dispatcher: http, headers: { origin: 'https://evil.example' } });
      await foreign.body.text();
      expect(foreign.statusCode).toBe(403);
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    });

    it(
      'answers 503 problem+json when a service behind it is down',
      async () => {
        const lonely = await startGatewayTestBed({ backends: ['auth'] });
        try {
          const front = await lonely.startGateway({ instanceId: 'gw-lonely' });
          const url = `http://127.0.0.1:${front.http.port}`;
          const user = await aUser(http, url, 'dora');
          const answer = await jsonRequest(http, 'GET', `${url}/projects`, { token: user.token });
          expect(answer.status).toBe(503);
          expect(answer.headers['content-type']).toContain('application/problem+json');
          const exported = await jsonRequest(http, 'GET', `${url}/exports/x1`, { token: user.token });
          expect(exported.status).toBe(503);
        } finally {
          await lonely.stop();
        }
      },
      STARTUP_TIMEOUT_MS,
    );

    it('limits requests per user with 429 and Retry-After', async () => {
      const strict = await bed.startGateway({ instanceId: 'gw-strict', perUser: { burst: 3, perSecond: 1 } });
      const url = `http://127.0.0.1:${strict.http.port}`;
      const statuses: number[] = [];
      let retryAfter: unknown;
      for (let i = 0; i < 5; i += 1) {
        const answer = await jsonRequest(http, 'GET', `${url}/templates`, { token: ada.token });
        statuses.push(answer.status);
        if (answer.status === 429) retryAfter = answer.headers['retry-after'];
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    });

    it('limits requests per address with 429', async () => {
      const strict = await bed.startGateway({ instanceId: 'gw-address', perAddress: { burst: 2, perSecond: 1 } });
      const url = `http://127.0.0.1:${strict.http.port}`;
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await jsonRequest(http, 'GET', `${url}/health`)).status);
      expect(statuses).toEqual([200, 200, 429, 429]);
    });
  });
});
