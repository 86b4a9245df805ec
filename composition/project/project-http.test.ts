import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectServiceClient } from '../../adapters/grpc/generated/project.js';
import { callUnary } from '../../contract-tests/support/grpc-unary.js';
import { h2cAgent, jsonRequest, type JsonResponse } from '../../contract-tests/support/http2-client.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { deadAddress } from '../../contract-tests/project-grpc/real-auth-server.js';
import { startProjectTestBed, type ProjectTestBed } from '../../test-support/project-test-bed.js';

/** The project client API over real HTTP/2 (h2c), served by `projectRoot`, authenticated by a real auth service over gRPC. */
describe('project HTTP routes', () => {
  let bed: ProjectTestBed;
  const http2 = h2cAgent();
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, options: { token?: string; body?: unknown } = {}) =>
    jsonRequest(http2, method, `${bed.url}${path}`, options);
  const loggedIn = async () => {
    const { user, token } = await bed.auth.harness.loggedInUser();
    return { ...user, token };
  };
  const createProject = async (token: string, body: Record<string, unknown> = { name: 'Capacity plan' }) => {
    const created = await call('POST', '/projects', { token, body });
    expect(created.status).toBe(201);
    const read = await call('GET', `/projects/${created.body.project_id}`, { token });
    return { id: created.body.project_id as string, updated_at: read.body.updated_at as number };
  };

  /** The export once it is neither queued nor running (GET answers 202 until then). */
  const poll = async (exportId: string, token: string) => {
    let answer: JsonResponse<any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    await waitFor(
      async () => {
        answer = await call('GET', `/exports/${exportId}`, { token });
        return answer.status !== 202;
      },
      15_000,
      `export ${exportId} to finish`,
    );
    expect(answer!.status).toBe(200);
    return answer!;
  };

  beforeAll(async () => {
    // No simulation service runs here; one delivery per job, so an export that needs it fails at once.
    bed = await startProjectTestBed({ root: { exports: { maxAttempts: 1 } } });
  });
  afterAll(async () => {
    await http2.close();
    await bed?.stop();
  });

  it('refuses requests without a valid bearer token with a 401 problem, before reading the body', async () => {
    const anonymous = await call('POST', '/projects', { body: { configuration: 'not even an object' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');

    const forged = await call('GET', '/projects', { token: 'a.b.c' });
    expect(forged.status).toBe(401);
    // Forged, not expired: only a token that verified and then ran out is `token_expired` (docs/adr/0035).
    expect(forged.body.type).toBe('urn:meshwork:problem:token_malformed');
  });

  it('creates, reads, updates, lists and deletes a project', async () => {
    const owner = await loggedIn();
    const created = await call('POST', '/projects', {
      token: owner.token,
      body: { name: 'Checkout', template_id: 'monolith', configuration: { nodes: '4' }, is_public: false },
    });
    expect(created.status).toBe(201);
    // The gateway's body (CreateProjectResponse as client JSON, docs/adr/0043).
    expect(created.body).toEqual({
      project_id: expect.any(String),
      name: 'Checkout',
      status: 'active',
      created_at: expect.any(Number),
      template_used: 'monolith',
    });
    const project = { id: created.body.project_id as string };
    expect(created.headers.location).toBe(`/projects/${project.id}`);

    const read = await call('GET', `/projects/${project.id}`, { token: owner.token });
    expect(read.body).toMatchObject({ project_id: project.id, name: 'Checkout', owner_id: owner.id, access: 'owner', collaborators: [] });
    expect(read.body.configuration).toMatchObject({ nodes: '4', services: '1' });
    expect((await call('GET', `/projects/${project.id}?include_configuration=false`, { token: owner.token })).body.configuration).toEqual(
      {},
    );

    const patched = await call('PATCH', `/projects/${project.id}`, {
      token: owner.token,
      body: { description: 'Black Friday', removed_configuration_keys: ['nodes'], expected_updated_at: read.body.updated_at },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.project).toMatchObject({ project_id: project.id, description: 'Black Friday', role: 'owner' });
    expect((await call('GET', `/projects/${project.id}`, { token: owner.token })).body.configuration).not.toHaveProperty('nodes');
    const stale = await call('PATCH', `/projects/${project.id}`, {
      token: owner.token,
      body: { name: 'x', expected_updated_at: read.body.updated_at - 1 },
    });
    expect(stale.status).toBe(409);

    const listed = await call('GET', '/projects?include_shared=false&page_size=10', { token: owner.token });
    expect(listed.body).toMatchObject({ total_count: 1, next_page_token: '' });
    expect(listed.body.projects[0]).toMatchObject({ project_id: project.id, role: 'owner' });

    const deleted = await call('DELETE', `/projects/${project.id}`, { token: owner.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted: true, project_id: project.id, deleted_at: expect.any(Number) });
    expect((await call('GET', `/projects/${project.id}`, { token: owner.token })).status).toBe(404);
  });

  it('checks bodies, queries and params by schema, naming the fields', async () => {
    const { token } = await loggedIn();
    const tooMany = Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`k${index}`, 'v']));

    const invalid = await call('POST', '/projects', { token, body: { name: '', configuration: tooMany } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['configuration', 'name']);
    const longValue = await call('POST', '/projects', { token, body: { name: 'x', configuration: { nodes: 'v'.repeat(1025) } } });
    expect(longValue.body.errors).toEqual([expect.objectContaining({ field: 'configuration.nodes' })]);
    expect((await call('GET', '/projects?page_size=0', { token })).body.errors[0].field).toBe('querystring.page_size');
    expect((await call('GET', '/projects/not%20an%20id', { token })).status).toBe(400);
    expect((await call('PATCH', '/projects/p1', { token, body: {} })).status).toBe(400);
  });

  it("hides other users' private projects and lets a viewer read but not change", async () => {
    const owner = await loggedIn();
    const viewer = await loggedIn();
    const stranger = await loggedIn();
    const project = await createProject(owner.token);
    const shared = await call('POST', `/projects/${project.id}/share`, {
      token: owner.token,
      body: { target_email: viewer.email, role: 'viewer' },
    });
    expect(shared.body).toEqual({ shared: true, project_id: project.id, target_user_id: viewer.id, role: 'viewer', reason: '' });

    expect((await call('GET', `/projects/${project.id}`, { token: stranger.token })).status).toBe(404);
    expect((await call('GET', `/projects/${project.id}`, { token: viewer.token })).body.access).toBe('viewer');
    const change = await call('PATCH', `/projects/${project.id}`, { token: viewer.token, body: { name: 'Mine now' } });
    expect(change.status).toBe(403);
    expect(change.body.type).toBe('urn:meshwork:problem:action_not_allowed');
    const unknownTarget = await call('POST', `/projects/${project.id}/share`, {
      token: owner.token,
      body: { target_email: 'nobody@example.test', role: 'viewer' },
    });
    expect(unknownTarget.status).toBe(404);
    expect((await call('POST', `/projects/${project.id}/share`, { token: owner.token, body: { role: 'viewer' } })).status).toBe(400);
  });

  it('lists permissions and runs the collaboration session', async () => {
    const owner = await loggedIn();
    const project = await createProject(owner.token);

    const permissions = await call('GET', `/projects/${project.id}/permissions`, { token: owner.token });
    expect(permissions.body).toMatchObject({
      project_id: project.id,
      owner_id: owner.id,
      permissions: [{ user_id: owner.id, email: owner.email, role: 'owner', granted_by: '' }],
    });
    const joined = await call('POST', `/projects/${project.id}/collaboration`, { token: owner.token });
    expect(joined.body).toMatchObject({
      joined: true,
      stream_key: `collaboration:stream:${project.id}`,
      active_collaborators: [owner.id],
      role: 'owner',
    });
    const left = await call('DELETE', `/projects/${project.id}/collaboration`, { token: owner.token });
    expect(left.body).toEqual({ left: true, remaining_collaborators: 0 });
  });

  it('answers its gRPC HealthCheck with the state of its channels to auth and simulation', async () => {
    const { token } = await loggedIn();
    expect((await call('GET', '/templates', { token })).status).toBe(200);
    const client = new ProjectServiceClient(bed.grpcAddress, credentials.createInsecure());
    try {
      const health = await callUnary(client.healthCheck.bind(client), { callingService: 'test' });
      expect(health).toMatchObject({ status: 'SERVING', service: 'project', details: { auth: 'READY' } });
      expect(['IDLE', 'CONNECTING', 'TRANSIENT_FAILURE']).toContain(health.details.simulation);
    } finally {
      client.close();
    }
  });

  it('serves the templates', async () => {
    const { token } = await loggedIn();

    const page = await call('GET', '/templates?category=serverless', { token });
    expect(page.body).toMatchObject({ total_count: 1, templates: [{ template_id: 'serverless-burst', category: 'serverless' }] });
    expect((await call('GET', '/templates/event-driven', { token })).body.template.configuration.load_profile).toBe('spike');
    expect((await call('GET', '/templates/mainframe', { token })).status).toBe(404);
  });

  it('reports a project while the simulation service is down, with simulations unavailable', async () => {
    const owner = await loggedIn();
    const project = await createProject(owner.token, { name: 'Report me', configuration: { nodes: '2' } });

    const queued = await call('POST', `/projects/${project.id}/reports`, { token: owner.token });
    expect(queued.status).toBe(202);
    expect(queued.body.export).toMatchObject({ kind: 'project_report', project_id: project.id, format: 'json', status: 'queued' });
    const report = await poll(queued.body.export.id, owner.token);

    expect(report.headers['content-disposition']).toBe(`attachment; filename="project-${project.id}-report.json"`);
    expect(report.body).toMatchObject({
      report: 'project',
      project: { id: project.id, name: 'Report me', configuration: { nodes: '2' } },
      shares: [],
      collaborators: [],
      simulations: 'unavailable',
    });
  });

  it('answers 503 to a simulation export while the simulation service is down, since access cannot be checked', async () => {
    const owner = await loggedIn();

    const refused = await call('POST', '/exports', { token: owner.token, body: { kind: 'simulation_results', simulation_id: 'sim-1' } });

    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ type: expect.stringContaining('dependency_unavailable') });
  });

  it("refuses reports of projects the caller cannot read, exports without their subject, and others' exports", async () => {
    const owner = await loggedIn();
    const stranger = await loggedIn();
    const project = await createProject(owner.token);

    expect((await call('POST', `/projects/${project.id}/reports`, { token: stranger.token })).status).toBe(404);
    const noSubject = await call('POST', '/exports', { token: owner.token, body: { kind: 'simulation_results', format: 'csv' } });
    expect(noSubject.status).toBe(400);
    expect(
      (await call('POST', '/exports', { token: owner.token, body: { kind: 'project_report', project_id: project.id, format: 'csv' } }))
        .status,
    ).toBe(400);
    const queued = await call('POST', `/projects/${project.id}/reports`, { token: owner.token });
    expect((await call('GET', `/exports/${queued.body.export.id}`, { token: stranger.token })).status).toBe(404);
    expect((await call('GET', '/exports/no-such-export', { token: owner.token })).status).toBe(404);
  });
});

describe('project HTTP routes when the auth service is down', () => {
  let bed: ProjectTestBed;
  const http2 = h2cAgent();
  beforeAll(async () => {
    bed = await startProjectTestBed({ authAddress: await deadAddress(), root: { timeouts: { authMs: 5_000 } } });
  });
  afterAll(async () => {
    await http2.close();
    await bed?.stop();
  });

  it('answers 503, not 401, since the token cannot be checked', async () => {
    const answer = await jsonRequest(http2, 'GET', `${bed.url}/projects`, { token: 'a.b.c' });

    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toContain('application/problem+json');
  });
});
