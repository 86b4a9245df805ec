import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Streams } from '../../../core/messaging/channels.js';
import { h2cAgent, jsonRequest } from '../../../contract-tests/support/http2-client.js';
import { waitFor } from '../../../contract-tests/messaging/wait.js';
import { startSimulationGrpcFixture, type SimulationGrpcFixture } from '../../../contract-tests/simulation-grpc/simulation-grpc-fixture.js';
import { createHttpApp } from '../fastify-app.js';
import { listenHttp } from '../listen.js';
import { registerSimulationRoutes } from './simulation-routes.js';
import { testLogger } from '../../../test-support/test-logger.js';

/**
 * The simulation client API over real HTTP/2 (h2c), with tokens checked by the real auth service
 * over gRPC and projects read from a real project gRPC server.
 */
describe('simulation HTTP routes', () => {
  let f: SimulationGrpcFixture;
  let app: FastifyInstance;
  let base: string;
  let owner: { id: string; token: string };
  let projectId: string;
  const http2 = h2cAgent();

  beforeAll(async () => {
    f = await startSimulationGrpcFixture();
    app = createHttpApp({ logger: testLogger('simulation-http-test') });
    registerSimulationRoutes(app, f.service, f.tokenCheck);
    base = (await listenHttp(app, { host: '127.0.0.1', port: 0 })).url;
    const { user, token } = await f.aUser();
    owner = { id: user.id, token };
    projectId = (await f.aProjectOf(user.id)).id;
  });

  afterAll(async () => {
    await http2.close();
    await app?.close();
    await f?.close();
  });

  const call = (method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string | null } = {}) =>
    jsonRequest(http2, method, `${base}${path}`, {
      body: options.body,
      ...(options.token === null ? {} : { token: options.token ?? owner.token }),
    });

  const startRun = async (body: Record<string, unknown> = {}) => {
    const started = await call('POST', '/simulations', { body: { project_id: projectId, duration_seconds: 60, ...body } });
    expect(started.status).toBe(201);
    return started.body.simulation_id as string;
  };

  const waitUntilFinished = (id: string) =>
    waitFor(async () => (await call('GET', `/simulations/${id}`)).body.status !== 'running', 15_000, `simulation ${id} to finish`);

  it('asks for a bearer token on every route, and refuses an invalid one', async () => {
    const missing = await call('GET', '/simulations/sim-1', { token: null });
    const invalid = await call('POST', '/simulations', { token: 'not-a-token', body: { project_id: projectId } });

    expect(missing.status).toBe(401);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(invalid.status).toBe(401);
    expect(invalid.body.type).toMatch(/^urn:meshwork:problem:token_/);
  });

  it('POST /simulations starts a real-time run by default and answers 201 with its location and stream', async () => {
    const started = await call('POST', '/simulations', { body: { project_id: projectId, duration_seconds: 30, components: ['api'] } });

    expect(started.status).toBe(201);
    expect(started.headers.location).toBe(`/simulations/${started.body.simulation_id}`);
    expect(started.body).toEqual({
      simulation_id: expect.any(String),
      status: 'running',
      started_at: expect.any(Number),
      websocket_channel: Streams.simulation(started.body.simulation_id),
      estimated_duration: 30,
    });
    await call('POST', `/simulations/${started.body.simulation_id}/stop`);
  });

  it('POST /simulations refuses a body of the wrong shape and an invalid configuration, naming the fields', async () => {
    const shape = await call('POST', '/simulations', { body: { duration_seconds: 'long' } });
    const rules = await call('POST', '/simulations', { body: { project_id: projectId, configuration: { nodes: '0' } } });

    expect(shape.status).toBe(400);
    expect(shape.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['duration_seconds', 'project_id']);
    expect(rules.status).toBe(400);
    expect(rules.body.errors).toEqual([{ field: 'configuration.nodes', message: 'must be an integer from 1 to 500' }]);
  });

  it('POST /simulations answers 404 for a project the caller cannot read', async () => {
    const stranger = await f.aUser();

    expect((await call('POST', '/simulations', { token: stranger.token, body: { project_id: projectId } })).status).toBe(404);
  });

  it('GET /simulations/:id answers the status to its starter, 403 to a stranger and 404 for an unknown id', async () => {
    const id = await startRun({ components: ['api', 'db'] });
    const stranger = await f.aUser();

    const view = await call('GET', `/simulations/${id}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      simulation_id: id,
      status: 'running',
      started_at: expect.any(Number),
      active_components: ['api', 'db'],
    });
    expect(view.body.progress_percentage).toBeGreaterThanOrEqual(0);
    expect((await call('GET', `/simulations/${id}`, { token: stranger.token })).status).toBe(403);
    expect((await call('GET', '/simulations/sim-missing')).status).toBe(404);
    await call('POST', `/simulations/${id}/stop`);
  });

  it('POST /simulations/:id/stop stops with or without a body, keeping the reason given', async () => {
    const first = await startRun();
    const second = await startRun();

    const bare = await call('POST', `/simulations/${first}/stop`);
    const reasoned = await call('POST', `/simulations/${second}/stop`, { body: { reason: 'wrong settings' } });

    expect(bare.status).toBe(200);
    expect(bare.body).toEqual({ stopped: true, simulation_id: first, status: 'stopped', stopped_at: expect.any(Number), reason: '' });
    expect(reasoned.body).toMatchObject({ stopped: true, simulation_id: second, status: 'stopped' });
    expect((await call('GET', `/simulations/${second}/results`)).body.status).toBe('stopped');
    expect((await call('POST', `/simulations/${first}/stop`)).body).toMatchObject({ stopped: false, reason: 'already stopped' });
  });

  it('GET results, metrics and analysis of a finished run', async () => {
    const id = await startRun({ duration_seconds: 3, enable_real_time: false });
    await waitUntilFinished(id);

    const results = await call('GET', `/simulations/${id}/results?include_samples=true&max_samples=5`);
    expect(results.status).toBe(200);
    expect(results.body).toMatchObject({ simulation_id: id, project_id: projectId, status: 'completed', duration_seconds: 3 });
    expect(results.body.samples.map((s: { simulation_step: number }) => s.simulation_step)).toEqual([26, 27, 28, 29, 30]);
    expect(results.body.final_metrics.simulation_step).toBe(30);
    expect(results.body.summary.samples).toBe(30);
    expect((await call('GET', `/simulations/${id}/results`)).body.samples).toEqual([]);

    const metrics = await call('GET', `/simulations/${id}/metrics?max_samples=2`);
    expect(metrics.body).toMatchObject({
      simulation_id: id,
      status: 'completed',
      stream_key: Streams.simulation(id),
      latest: { simulation_step: 30 },
    });
    expect(metrics.body.samples.map((s: { simulation_step: number }) => s.simulation_step)).toEqual([29, 30]);

    const analysis = await call('GET', `/simulations/${id}/analysis`);
    expect(analysis.status).toBe(200);
    expect(analysis.body).toMatchObject({ simulation_id: id, summary: results.body.summary, analyzed_at: expect.any(Number) });
    expect(analysis.body.overall_score).toBeGreaterThan(0);
    expect(Array.isArray(analysis.body.bottlenecks)).toBe(true);
    expect(analysis.body.recommendations.length).toBeGreaterThan(0);
  });

  it('GET metrics refuses a query of the wrong type', async () => {
    const id = await startRun();

    const refused = await call('GET', `/simulations/${id}/metrics?since=yesterday`);

    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].field).toBe('querystring.since');
    await call('POST', `/simulations/${id}/stop`);
  });

  it('POST /simulations/validate answers 200 with valid=false and every invalid field', async () => {
    const answer = await call('POST', '/simulations/validate', {
      body: { project_id: projectId, configuration: { nodes: 'many' }, duration_seconds: 3_601 },
    });
    const fine = await call('POST', '/simulations/validate', { body: { configuration: { services: '4' }, duration_seconds: 90 } });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ valid: false, errors: [{ field: 'configuration.nodes' }, { field: 'duration_seconds' }] });
    expect(fine.body).toEqual({ valid: true, errors: [], warnings: expect.any(Array), estimated_duration: 90, reason: '' });
  });

  it("GET /projects/:id/simulations pages through the project's history, filtered by status", async () => {
    const { user, token } = await f.aUser();
    const project = await f.aProjectOf(user.id);
    const as = { token };
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await call('POST', '/simulations', { ...as, body: { project_id: project.id, duration_seconds: 60 } })).body.simulation_id);
    }
    await call('POST', `/simulations/${ids[1]}/stop`, as);

    const first = await call('GET', `/projects/${project.id}/simulations?page_size=2`, as);
    const second = await call(
      'GET',
      `/projects/${project.id}/simulations?page_size=2&page_token=${encodeURIComponent(first.body.next_page_token)}`,
      as,
    );
    const stopped = await call('GET', `/projects/${project.id}/simulations?status=stopped`, as);

    expect(first.body.total_count).toBe(3);
    expect(second.body.next_page_token).toBe('');
    const listed = [...first.body.simulations, ...second.body.simulations];
    expect(listed.map((s: { simulation_id: string }) => s.simulation_id).sort()).toEqual([...ids].sort());
    expect(stopped.body.simulations.map((s: { simulation_id: string }) => s.simulation_id)).toEqual([ids[1]]);
    expect((await call('GET', `/projects/${project.id}/simulations?status=paused`, as)).status).toBe(400);
    expect((await call('GET', `/projects/${project.id}/simulations`)).status).toBe(404);
    await Promise.all([ids[0], ids[2]].map((id) => call('POST', `/simulations/${id}/stop`, as)));
  });
});
