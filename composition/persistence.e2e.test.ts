import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../test-support/postgres-fixture.js';
import { ServiceNames } from './config.js';
import { startMesh, type RunningMesh } from './launcher.js';
import { testMeshConfig } from '../test-support/test-mesh.js';
import { testLogger } from '../test-support/test-logger.js';

const http2 = h2cAgent();
const password = 'correct horse battery';

const start = (env: Record<string, string>): Promise<RunningMesh> =>
  startMesh({
    config: testMeshConfig({ MESH_STORAGE: 'sql', ...env }),
    logger: testLogger('persistence-e2e'),
    services: ServiceNames,
  });

const urlOf = (mesh: RunningMesh, service: 'auth' | 'project' | 'simulation') =>
  `http://127.0.0.1:${mesh.services.get(service)!.http.port}`;

const login = async (mesh: RunningMesh, email: string): Promise<string> => {
  const answer = await jsonRequest(http2, 'POST', `${urlOf(mesh, 'auth')}/auth/login`, { body: { email, password } });
  expect(answer.status).toBe(200);
  return answer.body.access_token;
};

/** Register, create a project, finish a simulation, stop the mesh, start it again: all still there. */
const survivesRestart = async (env: Record<string, string>): Promise<void> => {
  const email = `persist-${Date.now()}@example.com`;
  let mesh = await start(env);
  let projectId: string;
  let simulationId: string;
  try {
    const registered = await jsonRequest(http2, 'POST', `${urlOf(mesh, 'auth')}/auth/register`, {
      body: { email, password, name: 'Persistent Pat' },
    });
    expect(registered.status).toBe(201);
    const token = await login(mesh, email);

    const created = await jsonRequest(http2, 'POST', `${urlOf(mesh, 'project')}/projects`, {
      token,
      body: { name: 'Durable cluster', template_id: 'monolith' },
    });
    expect(created.status).toBe(201);
    projectId = created.body.project_id;

    const started = await jsonRequest(http2, 'POST', `${urlOf(mesh, 'simulation')}/simulations`, {
      token,
      body: { project_id: projectId, duration_seconds: 2, enable_real_time: false },
    });
    expect(started.status).toBe(201);
    simulationId = started.body.simulation_id;
    await waitFor(
      async () =>
        (await jsonRequest(http2, 'GET', `${urlOf(mesh, 'simulation')}/simulations/${simulationId}`, { token })).body.status ===
        'completed',
      20_000,
      'the simulation to complete',
    );
  } finally {
    await mesh.stop();
  }

  mesh = await start(env);
  try {
    const token = await login(mesh, email);
    const project = await jsonRequest(http2, 'GET', `${urlOf(mesh, 'project')}/projects/${projectId}`, { token });
    expect(project.status).toBe(200);
    expect(project.body).toMatchObject({ project_id: projectId, name: 'Durable cluster' });

    const results = await jsonRequest(
      http2,
      'GET',
      `${urlOf(mesh, 'simulation')}/simulations/${simulationId}/results?include_samples=true`,
      { token },
    );
    expect(results.status).toBe(200);
    expect(results.body.status).toBe('completed');
    expect(results.body.summary.samples).toBeGreaterThan(0);
    expect(results.body.samples.length).toBe(results.body.summary.samples);

    const analysis = await jsonRequest(http2, 'GET', `${urlOf(mesh, 'simulation')}/simulations/${simulationId}/analysis`, { token });
    expect(analysis.status).toBe(200);

    const history = await jsonRequest(http2, 'GET', `${urlOf(mesh, 'simulation')}/projects/${projectId}/simulations`, { token });
    expect(history.body.simulations.map((s: { simulation_id: string }) => s.simulation_id)).toContain(simulationId);

    const duplicate = await jsonRequest(http2, 'POST', `${urlOf(mesh, 'auth')}/auth/register`, {
      body: { email: email.toUpperCase(), password, name: 'Again' },
    });
    expect(duplicate.status).toBe(409);
  } finally {
    await mesh.stop();
  }
};

describe('durable state across a restart of the mesh', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await http2.close();
    for (const cleanup of cleanups) await cleanup();
  });

  it('keeps users, projects and simulation results in embedded PostgreSQL (PGlite) under DATA_DIR', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'meshwork-data-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await survivesRestart({ DATA_DIR: dataDir });
  }, 120_000);

  it('keeps them in a PostgreSQL server with DATABASE_URL', async () => {
    const database: PostgresDatabase = await createThrowawayDatabase('persistence-e2e');
    cleanups.push(() => database.drop());
    await survivesRestart({ DATABASE_URL: database.url });
  }, 120_000);
});
