import { Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { DomainFailureError, failure } from '../../core/shared/errors.js';
import { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { CreateProjectRequest, ProjectServiceClient, ProjectServiceService } from '../../adapters/grpc/generated/project.js';
import { startGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { MeshClient, type MeshClientConstructor } from '../../adapters/grpc/mesh/mesh-client.js';
import { unaryHandler, type UnaryContext } from '../../adapters/grpc/unary-handler.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { startAuthServer } from '../../contract-tests/grpc/auth-test-server.js';
import { FixedInstanceSource, instanceAt } from '../../contract-tests/mesh/test-instances.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { meshCallSource } from './mesh-call-source.js';

const logger = createLogger('mesh-call-source-test', 'silent');

const VALID = { valid: true, userId: 'u-1', email: 'a@example.com', isAdmin: false, sessionId: 's-1', permissions: [], expiresAt: 0, reason: '' };

/** An auth server whose ValidateToken fails with UNAVAILABLE while `failing`, or waits for `gate`; GetUserContext finds nobody. */
const startAuth = async (behaviour: { failing?: boolean; gate?: Promise<void> } = {}) => {
  const calls: UnaryContext[] = [];
  const server = await startAuthServer(
    {
      validateToken: unaryHandler(async (_request, context) => {
        calls.push(context);
        if (behaviour.gate) await behaviour.gate;
        if (behaviour.failing) throw new DomainFailureError(failure('unavailable', 'store_down', 'store down'));
        return VALID;
      }),
      getUserContext: unaryHandler(async () => {
        throw new DomainFailureError(failure('not_found', 'user_not_found', 'No user with id u-404.'));
      }),
    },
    { logger, shutdownGraceMs: 100 },
  );
  return { server, calls };
};

describe('the adapters calling through the mesh client', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const sourceOver = async <C extends Client>(Client: MeshClientConstructor<C>, service: string, addresses: readonly string[]) => {
    const instances = new FixedInstanceSource();
    // Ids in address order, so that round-robin starts with the first address.
    instances.set(service, addresses.map((address, i) => instanceAt(service, `${i}`, address)));
    const mesh = new MeshClient(Client, { service, instances, scaler: new GlobalConnectionScaler(), logger });
    cleanup.push(() => mesh.close());
    await waitFor(() => mesh.snapshot().instances.every((i) => i.pool.readyConnections > 0), 10_000, 'ready connections');
    return meshCallSource(Client, mesh);
  };

  it('retries a ValidateToken that an instance could not serve on another one, the adapter unchanged', async () => {
    const failing = await startAuth({ failing: true });
    const working = await startAuth();
    cleanup.push(() => failing.server.server.forceShutdown(), () => working.server.server.forceShutdown());
    const source = await sourceOver(AuthServiceClient, 'auth', [failing.server.address, working.server.address]);
    const auth = new GrpcAuthClient(source, { callingService: 'test' });

    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await auth.validateToken('a.b.c'));

    expect(answers.every((answer) => answer.ok && answer.value.valid)).toBe(true);
    expect(failing.calls.length).toBeGreaterThan(0);
    expect(source.mesh.snapshot().retries).toBe(failing.calls.length);
  });

  it('gives the adapter the failure the service answered with, kind and code kept', async () => {
    const auth = await startAuth();
    cleanup.push(() => auth.server.server.forceShutdown());
    const client = new GrpcAuthClient(await sourceOver(AuthServiceClient, 'auth', [auth.server.address]));

    expect(await client.getUserContext({ userId: 'u-404' })).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'not_found', code: 'user_not_found', message: 'No user with id u-404.' }),
    });
  });

  it("keeps the caller's deadline and metadata", async () => {
    const auth = await startAuth();
    cleanup.push(() => auth.server.server.forceShutdown());
    const client = new GrpcAuthClient(await sourceOver(AuthServiceClient, 'auth', [auth.server.address]), { timeoutMs: 60_000 });
    const metadata = new Metadata();
    metadata.set('x-request-id', 'req-7');

    const before = Date.now();
    await client.validateToken('a.b.c', { metadata });

    const seen = auth.calls[0]!;
    expect(seen.metadata.get('x-request-id')).toEqual(['req-7']);
    expect(seen.deadline!.getTime()).toBeGreaterThan(before + 50_000);
    expect(seen.deadline!.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('abandons the call when the caller cancels it', async () => {
    let release = () => undefined as void;
    const auth = await startAuth({ gate: new Promise<void>((resolve) => (release = resolve)) });
    cleanup.push(() => auth.server.server.forceShutdown(), () => release());
    const client = new GrpcAuthClient(await sourceOver(AuthServiceClient, 'auth', [auth.server.address]), { timeoutMs: 60_000 });
    const controller = new AbortController();

    const answer = client.validateToken('a.b.c', { signal: controller.signal });
    await waitFor(() => auth.calls.length === 1, 10_000, 'the call to arrive');
    controller.abort();

    expect(await answer).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    await waitFor(() => auth.calls[0]!.signal.aborted, 5_000, 'the server to see the cancellation');
    expect(auth.calls[0]!.signal.aborted).toBe(true);
  });

  it('repeats a write on another instance only when it carries an idempotency-key header', async () => {
    const startProject = async (failing: boolean) => {
      const keys: string[] = [];
      const createProject = unaryHandler(async (_request, context: UnaryContext) => {
        keys.push(String(context.metadata.get('idempotency-key')[0] ?? ''));
        if (failing) throw new DomainFailureError(failure('unavailable', 'store_down', 'store down'));
        return { projectId: 'p-1', name: 'p', status: 'active', createdAt: 0, templateUsed: '' };
      });
      const server = await startGrpcServer({
        serviceName: 'project-test',
        host: '127.0.0.1',
        port: 0,
        logger,
        shutdownGraceMs: 100,
        services: [{ definition: ProjectServiceService, implementation: { ...unimplementedService(ProjectServiceService), createProject } }],
      });
      cleanup.push(() => server.server.forceShutdown());
      return { address: server.address, keys };
    };
    const [failing, working] = [await startProject(true), await startProject(false)];
    const client = (await sourceOver(ProjectServiceClient, 'project', [failing.address, working.address])).client();
    const create = (metadata: Metadata) =>
      new Promise<ServiceError | null>((resolve) =>
        client.createProject(CreateProjectRequest.fromPartial({ name: 'p', userId: 'u-1' }), metadata, { deadline: Date.now() + 10_000 }, (error) =>
          resolve(error),
        ),
      );

    const plain = await create(new Metadata());
    expect(plain).toMatchObject({ code: status.UNAVAILABLE, details: expect.stringContaining('store down') });
    expect(working.keys).toEqual([]);

    const keyed = new Metadata();
    keyed.set('idempotency-key', 'create-p-1');
    expect(await create(keyed)).toBeNull();
    expect(working.keys).toEqual(['create-p-1']);
  });

  it("hands out the chosen instance's own client for anything but an rpc", async () => {
    const auth = await startAuth();
    cleanup.push(() => auth.server.server.forceShutdown());
    const source = await sourceOver(AuthServiceClient, 'auth', [auth.server.address]);

    expect(source.client().getChannel().getTarget()).toContain(String(auth.server.port));
  });
});
