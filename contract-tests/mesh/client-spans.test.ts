import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateProjectRequest,
  ProjectServiceClient,
  ProjectServiceService,
  type ProjectServiceServer,
} from '../../adapters/grpc/generated/project.js';
import { startGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { MeshClient } from '../../adapters/grpc/mesh/mesh-client.js';
import { unaryHandler } from '../../adapters/grpc/unary-handler.js';
import { startTrace } from '../../adapters/observability/trace-context.js';
import { runInScope } from '../../adapters/observability/trace-context-scope.js';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { DomainFailureError, failure } from '../../core/shared/errors.js';
import { testLogger } from '../../test-support/test-logger.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';
import { waitFor } from '../messaging/wait.js';
import { FixedInstanceSource, instanceAt } from './test-instances.js';

/** A project server whose CreateProject fails with UNAVAILABLE, or answers. */
const startProjectServer = async (failing: boolean) => {
  const handlers: Partial<ProjectServiceServer> = {
    createProject: unaryHandler(async () => {
      if (failing) throw new DomainFailureError(failure('unavailable', 'store_down', 'store down'));
      return { projectId: 'p-1', name: 'p', status: 'active', createdAt: 0, templateUsed: '' };
    }),
  };
  return startGrpcServer({
    serviceName: 'project-test',
    host: '127.0.0.1',
    port: 0,
    logger: testLogger('project-test'),
    shutdownGraceMs: 100,
    services: [{ definition: ProjectServiceService, implementation: { ...unimplementedService(ProjectServiceService), ...handlers } }],
  });
};

describe("the mesh client's span of a call", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('test');
  const cleanup: Array<() => unknown> = [];
  afterAll(() => provider.shutdown());
  beforeEach(() => exporter.reset());
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A mesh client of a failing instance tried first (round robin by id), then a working one. */
  const setUp = async () => {
    const failing = await startProjectServer(true);
    const working = await startProjectServer(false);
    cleanup.push(() => [failing, working].forEach((server) => server.server.forceShutdown()));
    const instances = new FixedInstanceSource();
    instances.set('project', [instanceAt('project', '1-failing', failing.address), instanceAt('project', '2-working', working.address)]);
    const mesh = new MeshClient(ProjectServiceClient, { service: 'project', instances, scaler: new GlobalConnectionScaler() });
    cleanup.push(() => mesh.close());
    await waitFor(() => mesh.snapshot().instances.every((i) => i.pool.readyConnections > 0), 10_000, 'connections');
    return { mesh, instances, working };
  };

  const request = CreateProjectRequest.fromPartial({ name: 'p', userId: 'u-1' });
  const inTrace = <T>(work: () => Promise<T>) => runInScope({ trace: startTrace(), tracer }, work);

  it('is one span for a retried call: the retry as an event, the instance that answered, OK', async () => {
    const { mesh, working } = await setUp();
    const outcome = await inTrace(() => mesh.call('createProject', request, { idempotencyKey: 'k-1' }));
    expect(outcome).toMatchObject({ ok: true });
    const [span, ...others] = exporter.getFinishedSpans();
    expect(others).toHaveLength(0);
    expect(span!.name).toBe('project.ProjectService/CreateProject');
    expect(span!.attributes).toMatchObject({ 'rpc.grpc.status_code': 0, 'server.port': Number(working.address.split(':')[1]) });
    expect(span!.events.map((event) => [event.name, event.attributes])).toEqual([
      ['retry', { 'meshwork.instance': '2-working', 'meshwork.attempt': 2 }],
    ]);
    expect(span!.status.code).toBe(0);
  });

  it('ends with the code the instance answered when the call is not retried', async () => {
    const { mesh } = await setUp();
    await expect(inTrace(() => mesh.call('createProject', request))).rejects.toMatchObject({ failure: { kind: 'unavailable' } });
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({ 'rpc.grpc.status_code': 14, 'error.type': 'UNAVAILABLE' });
    expect(span!.status.code).toBe(2);
  });

  it('ends UNAVAILABLE when no instance can take the call', async () => {
    const { mesh, instances } = await setUp();
    instances.set('project', []);
    await waitFor(() => mesh.snapshot().instances.length === 0, 10_000, 'instances gone');
    await expect(inTrace(() => mesh.call('createProject', request))).rejects.toThrow(/no instance of project/);
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({ 'rpc.grpc.status_code': 14 });
    expect(span!.status).toEqual({ code: 2, message: 'no instance of project can take the call' });
  });
});
