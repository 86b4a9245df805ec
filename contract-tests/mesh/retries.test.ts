import { afterEach, describe, expect, it } from 'vitest';
import {
  ProjectServiceClient,
  ProjectServiceService,
  CreateProjectRequest,
  type ProjectServiceServer,
} from '../../adapters/grpc/generated/project.js';
import { startGrpcServer, type RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { MeshClient } from '../../adapters/grpc/mesh/mesh-client.js';
import { unaryHandler } from '../../adapters/grpc/unary-handler.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';
import { testLogger } from '../../test-support/test-logger.js';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { DomainFailureError, failure } from '../../core/shared/errors.js';
import { waitFor } from '../messaging/wait.js';
import { FixedInstanceSource, instanceAt } from './test-instances.js';

/** A project server whose CreateProject fails with UNAVAILABLE or answers, recording idempotency keys. */
const startProjectServer = async (failing: boolean) => {
  const keys: string[] = [];
  const handlers: Partial<ProjectServiceServer> = {
    createProject: unaryHandler(async (_request, context) => {
      keys.push(String(context.metadata.get('idempotency-key')[0] ?? ''));
      if (failing) throw new DomainFailureError(failure('unavailable', 'store_down', 'store down'));
      return { projectId: 'p-1', name: 'p', status: 'active', createdAt: 0, templateUsed: '' };
    }),
  };
  const server = await startGrpcServer({
    serviceName: 'project-test',
    host: '127.0.0.1',
    port: 0,
    logger: testLogger('project-test'),
    shutdownGraceMs: 100,
    services: [{ definition: ProjectServiceService, implementation: { ...unimplementedService(ProjectServiceService), ...handlers } }],
  });
  return { server, keys };
};

describe('retries of writes', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const setup = async () => {
    const failing = await startProjectServer(true);
    const working = await startProjectServer(false);
    const servers: RunningGrpcServer[] = [failing.server, working.server];
    cleanup.push(() => servers.forEach((server) => server.server.forceShutdown()));
    const instances = new FixedInstanceSource();
    // Ids in this order so that round-robin tries the failing instance first.
    instances.set('project', [
      instanceAt('project', '1-failing', failing.server.address),
      instanceAt('project', '2-working', working.server.address),
    ]);
    const mesh = new MeshClient(ProjectServiceClient, { service: 'project', instances, scaler: new GlobalConnectionScaler() });
    cleanup.push(() => mesh.close());
    await waitFor(() => mesh.snapshot().instances.every((i) => i.pool.readyConnections > 0), 10_000, 'connections');
    return { mesh, failing, working };
  };

  const request = CreateProjectRequest.fromPartial({ name: 'p', userId: 'u-1' });

  it('does not repeat a write without an idempotency key on another instance', async () => {
    const { mesh, failing, working } = await setup();

    const outcome = await mesh.call('createProject', request).catch((error: unknown) => error);

    expect(outcome).toMatchObject({ failure: { kind: 'unavailable' } });
    expect(failing.keys).toHaveLength(1);
    expect(working.keys).toHaveLength(0);
  });

  it('repeats a write that carries an idempotency key, with the same key', async () => {
    const { mesh, failing, working } = await setup();

    const outcome = await mesh.call('createProject', request, { idempotencyKey: 'create-p-1' });

    expect(outcome).toMatchObject({ ok: true, value: { projectId: 'p-1' } });
    expect(failing.keys).toEqual(['create-p-1']);
    expect(working.keys).toEqual(['create-p-1']);
    expect(mesh.snapshot().retries).toBe(1);
  });
});
