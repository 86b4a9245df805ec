import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { startMeshProcess, type MeshProcess } from '../test-support/mesh-process.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';

/**
 * Three processes started together on one empty DATA_DIR, mTLS on: they agree on one CA, each
 * presents its own identity (auth; project; the gateway with simulation), and the flows cross them.
 */
describe('mutual TLS across processes sharing DATA_DIR', () => {
  let redis: RedisFixture;
  let dataDir: string;
  const processes: MeshProcess[] = [];
  const http2 = h2cAgent();
  let gateway: string;

  beforeAll(async () => {
    redis = await startRedisNode();
    dataDir = await mkdtemp(join(tmpdir(), 'meshwork-mtls-processes-'));
    const [authG, authH, projG, projH, simG, simH, gwG, gwH] = (await findFreePorts(8)).map(String) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const env = {
      ...redisConfigToEnv(redis.config),
      MESH_TLS: 'on',
      DATA_DIR: dataDir,
      AUTH_GRPC_PORT: authG,
      AUTH_HTTP_PORT: authH,
      AUTH_GRPC_TARGET: `127.0.0.1:${authG}`,
      AUTH_HTTP_TARGET: `127.0.0.1:${authH}`,
      PROJECT_GRPC_PORT: projG,
      PROJECT_HTTP_PORT: projH,
      PROJECT_GRPC_TARGET: `127.0.0.1:${projG}`,
      PROJECT_HTTP_TARGET: `127.0.0.1:${projH}`,
      SIMULATION_GRPC_PORT: simG,
      SIMULATION_HTTP_PORT: simH,
      SIMULATION_GRPC_TARGET: `127.0.0.1:${simG}`,
      SIMULATION_HTTP_TARGET: `127.0.0.1:${simH}`,
      GATEWAY_GRPC_PORT: gwG,
      GATEWAY_HTTP_PORT: gwH,
    };
    processes.push(
      ...(await Promise.all([
        startMeshProcess(['auth'], env, 90_000),
        startMeshProcess(['project'], env, 90_000),
        startMeshProcess(['simulation', 'api-gateway'], env, 90_000),
      ])),
    );
    gateway = `http://127.0.0.1:${gwH}`;
  }, 150_000);
  afterAll(async () => {
    await http2.close();
    await Promise.all(processes.map((process) => process.stop()));
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('made one CA and the certificates each process needs', async () => {
    expect((await readdir(join(dataDir, 'pki'))).sort()).toEqual([
      'api-gateway',
      'auth',
      'ca',
      'project',
      'simulation',
      'simulation+api-gateway',
    ]);
    expect(processes.map((process) => process.output()).join('')).toContain('"tls":"mutual, as auth"');
  });

  it('runs the flows across the three processes', { timeout: 60_000 }, async () => {
    const account = { email: 'processes@example.com', password: 'correct horse battery' };
    expect((await jsonRequest(http2, 'POST', `${gateway}/auth/register`, { body: { ...account, name: 'Pro' } })).status).toBe(201);
    const login = await jsonRequest(http2, 'POST', `${gateway}/auth/login`, { body: account });
    expect(login.status).toBe(200);
    const token: string = login.body.access_token;
    // gateway -> auth (ValidateToken), gateway -> project, project -> auth (CheckPermission)
    const project = await jsonRequest(http2, 'POST', `${gateway}/projects`, {
      token,
      body: { name: 'Spread', template_id: 'microservices' },
    });
    expect(project.status).toBe(201);
    // gateway -> simulation (same process), simulation -> project (GetProject), simulation -> auth
    const simulation = await jsonRequest(http2, 'POST', `${gateway}/simulations`, {
      token,
      body: { project_id: project.body.project_id, duration_seconds: 5 },
    });
    expect(simulation.status).toBe(201);
  });
});
