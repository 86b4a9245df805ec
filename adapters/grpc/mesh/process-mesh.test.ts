import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../contract-tests/messaging/wait.js';
import { InMemoryServiceRegistry } from '../../memory/in-memory-service-registry.js';
import { createLogger } from '../../observability/logger.js';
import { SystemClock } from '../../system/system-clock.js';
import { AuthServiceClient } from '../generated/auth.js';
import { ProcessMesh, type ProcessMeshSettings } from './process-mesh.js';

const logger = createLogger('process-mesh-test', 'silent');

/** Four services at unreachable configured targets, none set explicitly, unless `configured` names some. */
const meshSettings = (overrides: Partial<ProcessMeshSettings> = {}): ProcessMeshSettings => ({
  maxConnections: 1_000,
  priorities: ['auth', 'project', 'simulation', 'api-gateway'],
  balancer: 'round_robin',
  healthIntervalMs: 30_000,
  heartbeatMs: 3_000,
  registryTtlMs: 10_000,
  drainNoticeMs: 0,
  advertiseHost: '127.0.0.1',
  targets: Object.fromEntries(
    ['api-gateway', 'auth', 'project', 'simulation'].map((service, i) => [
      service,
      { grpc: `127.0.0.1:${50_100 + i}`, http: `127.0.0.1:${50_200 + i}` },
    ]),
  ),
  configuredTargets: [],
  ...overrides,
});

/** The settings with `auth` configured at `grpc` (and `http`), as `AUTH_GRPC_TARGET` does. */
const withAuthAt = (grpc: string, http = '127.0.0.1:2'): ProcessMeshSettings => {
  const base = meshSettings();
  return { ...base, targets: { ...base.targets, auth: { grpc, http } }, configuredTargets: ['auth'] };
};

describe('the mesh of one process without Redis', () => {
  const opened: ProcessMesh[] = [];
  afterEach(async () => {
    for (const mesh of opened.splice(0)) await mesh.close();
  });
  const start = async (settings: ProcessMeshSettings, localServices: readonly string[]) => {
    const registry = new InMemoryServiceRegistry(new SystemClock());
    const memory = { kind: 'memory' as const, registry, close: async () => registry.close() };
    const mesh = await ProcessMesh.start({ settings, registry: memory, logger, localServices });
    opened.push(mesh);
    return mesh;
  };
  const addresses = (mesh: ProcessMesh) =>
    mesh.report().clients.flatMap((client) => client.client.instances.map((instance) => `${client.service} ${instance.address}`));

  it('reaches a service it does not run at its configured address, until an instance of it registers', async () => {
    const mesh = await start(withAuthAt('127.0.0.1:1', '127.0.0.1:2'), ['api-gateway']);
    const client = mesh.clientFor('auth', AuthServiceClient, 'gateway-1');

    expect(addresses(mesh)).toEqual(['auth 127.0.0.1:1']);
    expect(mesh.targetOf('auth')).toEqual({ grpc: '127.0.0.1:1', http: '127.0.0.1:2' });

    await mesh.register({ service: 'auth', instanceId: 'auth-1', grpcPort: 3, httpPort: 4 });
    await waitFor(() => client.snapshot().instances[0]?.instanceId === 'auth-1', 5_000, 'the registered instance');
    expect(addresses(mesh)).toEqual(['auth 127.0.0.1:3']);
    expect(mesh.targetOf('auth')).toEqual({ grpc: '127.0.0.1:3', http: '127.0.0.1:4' });
  });

  it('keeps forwarding to a registered instance that failed its health check here, not to the configured address', async () => {
    const mesh = await start(withAuthAt('127.0.0.1:1', '127.0.0.1:2'), ['api-gateway']);
    mesh.clientFor('auth', AuthServiceClient, 'gateway-1');
    await mesh.register({ service: 'auth', instanceId: 'auth-1', grpcPort: 3, httpPort: 4 });
    // Nothing listens on port 3: this process's check puts the only known instance out of rotation.
    await waitFor(() => mesh.report().health.auth?.unhealthy === 1, 5_000, 'the failed health check');

    expect(mesh.targetOf('auth')).toEqual({ grpc: '127.0.0.1:3', http: '127.0.0.1:4' });
  });

  it('waits for the registration of a service it runs itself instead of dialling its configured address', async () => {
    const mesh = await start(meshSettings(), ['auth', 'api-gateway']);
    mesh.clientFor('auth', AuthServiceClient, 'gateway-1');

    expect(addresses(mesh)).toEqual([]);
  });

  it('registers its instances at the advertised host, and removes them from the registry on deregistration', async () => {
    const mesh = await start(meshSettings({ advertiseHost: '10.1.2.3' }), ['auth']);
    await mesh.register({ service: 'auth', instanceId: 'auth-1', grpcPort: 9000, httpPort: 9001 });

    expect(mesh.report().registered).toEqual([
      expect.objectContaining({
        service: 'auth',
        instanceId: 'auth-1',
        host: '10.1.2.3',
        grpcPort: 9000,
        httpPort: 9001,
        status: 'healthy',
      }),
    ]);
    await waitFor(() => mesh.discovery.current('auth').length === 1, 5_000, 'discovery to see the instance');
    expect(mesh.discovery.current('auth')[0]).toMatchObject({ instanceId: 'auth-1', host: '10.1.2.3' });

    await mesh.deregister('auth-1');
    await waitFor(() => mesh.discovery.current('auth').length === 0, 5_000, 'the instance to leave');
    expect(mesh.report().registered).toEqual([]);
  });

  it('keeps its own instance in its view while the registry has lost the record, until it deregisters', async () => {
    const registry = new InMemoryServiceRegistry(new SystemClock());
    const mesh = await ProcessMesh.start({
      settings: meshSettings(),
      registry: { kind: 'memory', registry, close: async () => registry.close() },
      logger,
      localServices: ['auth', 'api-gateway'],
    });
    opened.push(mesh);
    await mesh.register({ service: 'auth', instanceId: 'auth-1', grpcPort: 9000, httpPort: 9001 });

    // The record vanishes (a Redis restarted empty, a failover that lost it) while the instance serves.
    await registry.deregister('auth', 'auth-1');
    await registry.register({ ...mesh.report().registered[0]!, instanceId: 'auth-2', grpcPort: 9100 }, 10_000);
    await waitFor(() => mesh.discovery.current('auth').length === 2, 5_000, 'the other instance');
    expect(mesh.discovery.current('auth').map((instance) => instance.instanceId)).toEqual(['auth-1', 'auth-2']);

    await mesh.deregister('auth-1');
    expect(mesh.discovery.current('auth').map((instance) => instance.instanceId)).toEqual(['auth-2']);
  });

  it('shares one client per target service between the instances of the process, and checks the health of its instances', async () => {
    const mesh = await start(withAuthAt('127.0.0.1:1'), ['api-gateway', 'project']);
    mesh.clientFor('auth', AuthServiceClient, 'gateway-1');
    mesh.clientFor('auth', AuthServiceClient, 'project-1');

    expect(mesh.report().clients).toEqual([expect.objectContaining({ service: 'auth', users: ['gateway-1', 'project-1'] })]);
    expect(Object.keys(mesh.report().health)).toEqual(['auth']);
  });
});
