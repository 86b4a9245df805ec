import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayServiceClient, RouteMessageRequest } from '../adapters/grpc/generated/gateway.js';
import { meshChannelCredentials } from '../adapters/grpc/mesh-tls-credentials.js';
import type { TlsIdentity } from '../adapters/pki/tls-identity.js';
import { checkHealth } from '../contract-tests/grpc/health-probe.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import type { RunningMesh } from './launcher.js';
import { startTestMesh } from '../test-support/test-mesh.js';

/** The identity `npm start` generated for `service` under `<dataDir>/pki`. */
const generatedIdentity = async (dataDir: string, service: string): Promise<TlsIdentity> => {
  const read = (...path: string[]) => readFile(join(dataDir, 'pki', ...path), 'utf8');
  return {
    services: [service],
    caPem: await read('ca', 'cert.pem'),
    certPem: await read(service, 'cert.pem'),
    keyPem: await read(service, 'key.pem'),
  };
};

const routeMessage = (address: string, identity: TlsIdentity) => {
  const client = new GatewayServiceClient(address, meshChannelCredentials(identity, 'api-gateway'));
  return new Promise<{ code: status; details?: string }>((resolve) =>
    client.routeMessage(
      RouteMessageRequest.fromPartial({
        targetUserId: 'nobody',
        messageType: 'note',
        payload: Buffer.from('{}'),
        sourceService: identity.services[0],
      }),
      new Metadata(),
      { deadline: Date.now() + 10_000 },
      (error: ServiceError | null) => resolve(error ? { code: error.code, details: error.details } : { code: status.OK }),
    ),
  ).finally(() => client.close());
};

describe('the mesh with mutual TLS on (as npm start runs it)', () => {
  let dataDir: string;
  let mesh: RunningMesh;
  let gateway: string;
  let gatewayGrpc: string;
  const http2 = h2cAgent();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'meshwork-mtls-'));
    mesh = await startTestMesh({ MESH_TLS: 'on', DATA_DIR: dataDir });
    // Each first health Check makes a TLS handshake; on a loaded machine let them all answer before the flows.
    await waitFor(
      () => {
        const health = Object.values(mesh.mesh.report().health);
        // Every service is a target: the gateway too, which the others reach for their users' sockets (docs/adr/0052).
        return health.length === 4 && health.every((checker) => checker.checks > 0 && checker.unhealthy === 0);
      },
      30_000,
      'every service checked healthy over mTLS',
    );
    gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
    gatewayGrpc = `127.0.0.1:${mesh.services.get('api-gateway')!.grpc.port}`;
  }, 120_000);
  afterAll(async () => {
    await http2.close();
    await mesh?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs the three flows end to end, every gRPC hop over mTLS', { timeout: 60_000 }, async () => {
    const account = { email: 'tls@example.com', password: 'correct horse battery' };
    const registered = await jsonRequest(http2, 'POST', `${gateway}/auth/register`, { body: { ...account, name: 'Tess' } });
    expect(registered, JSON.stringify(registered.body)).toMatchObject({ status: 201 });
    const login = await jsonRequest(http2, 'POST', `${gateway}/auth/login`, { body: account });
    expect(login, JSON.stringify(login.body)).toMatchObject({ status: 200 });
    const token: string = login.body.access_token;

    const project = await jsonRequest(http2, 'POST', `${gateway}/projects`, {
      token,
      body: { name: 'Secure', template_id: 'microservices' },
    });
    expect(project, JSON.stringify(project.body)).toMatchObject({ status: 201 });
    const simulation = await jsonRequest(http2, 'POST', `${gateway}/simulations`, {
      token,
      body: { project_id: project.body.project_id, duration_seconds: 5 },
    });
    expect(simulation, JSON.stringify(simulation.body)).toMatchObject({ status: 201 });
    expect((await jsonRequest(http2, 'GET', `${gateway}/simulations/${simulation.body.simulation_id}`, { token })).status).toBe(200);
  });

  it('keeps the generated CA and certificates under DATA_DIR/pki, keys private', async () => {
    expect((await stat(join(dataDir, 'pki'))).mode & 0o777).toBe(0o700);
    for (const folder of ['ca', 'api-gateway', 'auth', 'project', 'simulation']) {
      expect((await stat(join(dataDir, 'pki', folder, 'key.pem'))).mode & 0o777).toBe(0o600);
    }
  });

  it('refuses a plaintext client, and answers health to a mesh certificate', async () => {
    await expect(checkHealth(gatewayGrpc, '', 5_000)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    const project = await generatedIdentity(dataDir, 'project');
    expect(await checkHealth(gatewayGrpc, '', 5_000, meshChannelCredentials(project, 'api-gateway'))).toBe('SERVING');
  });

  it('lets only the gateway, auth and project call RouteMessage on the gateway', async () => {
    expect(await routeMessage(gatewayGrpc, await generatedIdentity(dataDir, 'simulation'))).toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    expect(await routeMessage(gatewayGrpc, await generatedIdentity(dataDir, 'project'))).toEqual({ code: status.OK });
    expect(await routeMessage(gatewayGrpc, await generatedIdentity(dataDir, 'api-gateway'))).toEqual({ code: status.OK });
  });
});
