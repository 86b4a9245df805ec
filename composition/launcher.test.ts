import { credentials } from '@grpc/grpc-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthServiceClient } from '../adapters/grpc/generated/auth.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { callUnary } from '../contract-tests/support/grpc-unary.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { aUser } from '../test-support/gateway-users.js';
import { startMesh, type RunningMesh } from './launcher.js';
import { testMeshConfig } from '../test-support/test-mesh.js';
import { testLogger } from '../test-support/test-logger.js';

/** Services and a loaded 2-core machine: starting and stopping take a while. */
const TIMEOUT_MS = 90_000;
const logger = testLogger('launcher-test');

const validate = async (address: string, token: string) => {
  const client = new AuthServiceClient(address, credentials.createInsecure());
  try {
    return await callUnary(client.validateToken.bind(client), { token, callingService: 'test', requestId: '' });
  } finally {
    client.close();
  }
};

describe('several instances of a service in one process', () => {
  let mesh: RunningMesh;
  const http = h2cAgent();

  beforeAll(async () => {
    mesh = await startMesh({ config: testMeshConfig({ MESH_INSTANCES: 'auth=2,api-gateway=2', MESH_HEALTH_INTERVAL_MS: '1000' }), logger });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await http.close();
    await mesh?.stop();
  }, TIMEOUT_MS);

  it('starts every instance on ports of its own and registers each one', () => {
    const started = [...mesh.instances.values()].flat();
    const registered = mesh.mesh.report().registered;

    expect([...mesh.instances].map(([service, instances]) => [service, instances.length])).toEqual([
      ['auth', 2],
      ['project', 1],
      ['simulation', 1],
      ['api-gateway', 2],
    ]);
    expect(new Set(started.flatMap((instance) => [instance.grpc.port, instance.http.port])).size).toBe(12);
    expect(registered.map((record) => [record.service, record.instanceId, record.grpcPort, record.httpPort, record.status])).toEqual(
      started.map((instance) => [instance.name, instance.instanceId, instance.grpc.port, instance.http.port, 'healthy']),
    );
    const [first, second] = mesh.instances.get('api-gateway')!;
    expect(second!.instanceId).toBe(`${first!.instanceId}-2`);
  });

  it('shares state between the instances of a service: a token from one is valid at the other', async () => {
    const [first, second] = mesh.instances.get('auth')!;
    const user = await aUser(http, `http://127.0.0.1:${first!.http.port}`, 'twin');

    expect(await validate(`127.0.0.1:${second!.grpc.port}`, user.token)).toMatchObject({ valid: true, userId: user.userId });
  });

  it('spreads the calls of the gateways over both auth instances', async () => {
    const gateways = mesh.instances.get('api-gateway')!;
    // A gateway asks auth once per session (it caches the answer: docs/adr/0022), so each request here is a new session.
    for (let i = 0; i < 10; i += 1) {
      const user = await aUser(http, `http://127.0.0.1:${gateways[0]!.http.port}`, `spread-${i}`);
      for (const gateway of gateways) {
        expect((await jsonRequest(http, 'GET', `http://127.0.0.1:${gateway.http.port}/projects`, { token: user.token })).status).toBe(200);
      }
    }

    const auth = mesh.mesh.report().clients.find((client) => client.service === 'auth')!;
    expect(auth.users).toEqual(expect.arrayContaining(gateways.map((gateway) => gateway.instanceId)));
    const calls = auth.client.instances.map((instance) => instance.calls);
    expect(calls).toHaveLength(2);
    expect(Math.min(...calls)).toBeGreaterThanOrEqual(5);
  });

  it('deregisters an instance when it stops, and its callers stop using it', async () => {
    const [, second] = mesh.instances.get('auth')!;
    await second!.stop();

    expect(mesh.mesh.report().registered.map((record) => record.instanceId)).not.toContain(second!.instanceId);
    await waitFor(() => mesh.mesh.discovery.current('auth').length === 1, 5_000, 'discovery to drop the instance');
    const auth = mesh.mesh.report().clients.find((client) => client.service === 'auth')!;
    expect(auth.client.instances.map((instance) => instance.instanceId)).toEqual([mesh.instances.get('auth')![0]!.instanceId]);
  });
});

describe('two instances of a stateful service on one embedded database', () => {
  let mesh: RunningMesh;
  let dataDir: string;
  const http = h2cAgent();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'meshwork-instances-'));
    const config = testMeshConfig({ MESH_STORAGE: 'sql', DATA_DIR: dataDir, MESH_INSTANCES: 'auth=2' });
    mesh = await startMesh({ config, logger, services: ['auth'] });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await http.close();
    await mesh?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it('opens the PGlite data directory once and lets both instances use it', async () => {
    const [first, second] = mesh.instances.get('auth')!;
    const user = await aUser(http, `http://127.0.0.1:${first!.http.port}`, 'pglite');

    const login = await jsonRequest(http, 'POST', `http://127.0.0.1:${second!.http.port}/auth/login`, {
      body: { email: user.email, password: 'correct horse battery' },
    });

    expect(login.status).toBe(200);
    expect(await validate(`127.0.0.1:${first!.grpc.port}`, login.body.access_token)).toMatchObject({ valid: true, userId: user.userId });
  });
});
