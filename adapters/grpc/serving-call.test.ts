import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthServiceClient, AuthServiceService } from './generated/auth.js';
import { grpcUnaryCall } from './grpc-unary-call.js';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server.js';
import { unaryHandler } from './unary-handler.js';
import type { MeshClient } from './mesh/mesh-client.js';
import { singleInstance } from './mesh/single-instance.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';
import { testLogger } from '../../test-support/test-logger.js';

/** A call made while serving a request gets at most the time that request has left. */
describe('deadline propagation across hops', () => {
  const logger = testLogger('test');
  let downstream: RunningGrpcServer;
  let upstream: RunningGrpcServer;
  let downstreamCalls: MeshClient<AuthServiceClient>;
  let upstreamClient: AuthServiceClient;
  const hopDurations: number[] = [];

  beforeAll(async () => {
    downstream = await startGrpcServer({
      serviceName: 'downstream',
      host: '127.0.0.1',
      port: 0,
      logger,
      services: [
        {
          definition: AuthServiceService,
          implementation: { ...unimplementedService(AuthServiceService), getUserContext: unaryHandler(() => new Promise(() => {})) },
        },
      ],
    });
    downstreamCalls = singleInstance(AuthServiceClient, downstream.address);
    upstream = await startGrpcServer({
      serviceName: 'upstream',
      host: '127.0.0.1',
      port: 0,
      logger,
      services: [
        {
          definition: AuthServiceService,
          implementation: {
            ...unimplementedService(AuthServiceService),
            getUserPermissions: unaryHandler(async () => {
              const started = Date.now();
              // Through the mesh client, as the services call; a generous own timeout: only the caller's deadline can end this hop early.
              const answer = await downstreamCalls
                .call('getUserContext', { userId: 'u', callingService: 'up' }, { timeoutMs: 20_000 })
                .catch(() => undefined);
              hopDurations.push(Date.now() - started);
              return { userId: answer?.ok ? 'u' : '', roles: [], permissions: [], isAdmin: false };
            }, logger),
          },
        },
      ],
    });
    upstreamClient = new AuthServiceClient(upstream.address, credentials.createInsecure());
  });

  afterAll(async () => {
    downstreamCalls.close();
    upstreamClient.close();
    await Promise.all([upstream.shutdown(), downstream.shutdown()]);
  });

  it('ends the downstream call when the request being served runs out of time', async () => {
    const answer = await grpcUnaryCall(
      'upstream',
      upstreamClient.getUserPermissions.bind(upstreamClient),
      { userId: 'u', callingService: 'test' },
      { timeoutMs: 400 },
    );
    expect(answer.ok).toBe(false);
    await expect.poll(() => hopDurations.length, { timeout: 10_000 }).toBe(1);
    expect(hopDurations[0]).toBeLessThan(5_000);
  });
});
