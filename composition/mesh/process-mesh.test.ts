import { afterEach, describe, expect, it } from 'vitest';
import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import type { MeshConfig, ServiceName } from '../config.js';
import { testMeshConfig } from '../../test-support/test-mesh.js';
import { ProcessMesh } from './process-mesh.js';

const logger = createLogger('process-mesh-test', 'silent');

describe('the mesh of one process without Redis', () => {
  const opened: ProcessMesh[] = [];
  afterEach(async () => {
    for (const mesh of opened.splice(0)) await mesh.close();
  });
  const start = async (config: MeshConfig, localServices: readonly ServiceName[]) => {
    const mesh = await ProcessMesh.start({ config, logger, localServices });
    opened.push(mesh);
    return mesh;
  };
  const addresses = (mesh: ProcessMesh) =>
    mesh.report().clients.flatMap((client) => client.client.instances.map((instance) => `${client.service} ${instance.address}`));

  it('reaches a service it does not run at its configured address, until an instance of it registers', async () => {
    const config = testMeshConfig({ AUTH_GRPC_TARGET: '127.0.0.1:1', AUTH_HTTP_TARGET: '127.0.0.1:2' });
    const mesh = await start(config, ['api-gateway']);
    const client = mesh.clientFor('auth', AuthServiceClient, 'gateway-1');

    expect(addresses(mesh)).toEqual(['auth 127.0.0.1:1']);
    expect(mesh.targetOf('auth')).toEqual({ grpc: '127.0.0.1:1', http: '127.0.0.1:2' });

    await mesh.register({ service: 'auth', instanceId: 'auth-1', grpcPort: 3, httpPort: 4 });
    await waitFor(() => client.snapshot().instances[0]?.instanceId === 'auth-1', 5_000, 'the registered instance');
    expect(addresses(mesh)).toEqual(['auth 127.0.0.1:3']);
    expect(mesh.targetOf('auth')).toEqual({ grpc: '127.0.0.1:3', http: '127.0.0.1:4' });
  });

  it('waits for the registration of a service it runs itself instead of dialling its configured address', async () => {
    const mesh = await start(testMeshConfig(), ['auth', 'api-gateway']);
    mesh.clientFor('auth', AuthServiceClient, 'gateway-1');

    expect(addresses(mesh)).toEqual([]);
  });

  it('registers its instances at the advertised host, and removes them from the registry on deregistration', async () => {
    const mesh = await start(testMeshConfig({ MESH_ADVERTISE_HOST: '10.1.2.3' }), ['auth']);
    await mesh.register({ service: 'auth', instanceId: 'auth-1', grpcPort: 9000, httpPort: 9001 });

    expect(mesh.report().registered).toEqual([
      expect.objectContaining({ service: 'auth', instanceId: 'auth-1', host: '10.1.2.3', grpcPort: 9000, httpPort: 9001, status: 'healthy' }),
    ]);
    await waitFor(() => mesh.discovery.current('auth').length === 1, 5_000, 'discovery to see the instance');
    expect(mesh.discovery.current('auth')[0]).toMatchObject({ instanceId: 'auth-1', host: '10.1.2.3' });

    await mesh.deregister('auth-1');
    await waitFor(() => mesh.discovery.current('auth').length === 0, 5_000, 'the instance to leave');
    expect(mesh.report().registered).toEqual([]);
  });

  it('shares one client per target service between the instances of the process, and checks the health of its instances', async () => {
    const mesh = await start(testMeshConfig({ AUTH_GRPC_TARGET: '127.0.0.1:1' }), ['api-gateway', 'project']);
    mesh.clientFor('auth', AuthServiceClient, 'gateway-1');
    mesh.clientFor('auth', AuthServiceClient, 'project-1');

    expect(mesh.report().clients).toEqual([expect.objectContaining({ service: 'auth', users: ['gateway-1', 'project-1'] })]);
    expect(Object.keys(mesh.report().health)).toEqual(['auth']);
  });
});
