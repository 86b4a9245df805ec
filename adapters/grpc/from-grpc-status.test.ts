import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../core/shared/errors.js';
import { err } from '../../core/shared/result.js';
import { AuthServiceClient, AuthServiceService } from './generated/auth.js';
import { grpcUnaryCall } from './grpc-unary-call.js';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server.js';
import { unaryHandler } from './unary-handler.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';
import { testLogger } from '../../test-support/test-logger.js';

describe('grpcUnaryCall and fromGrpcStatus', () => {
  let server: RunningGrpcServer;
  let client: AuthServiceClient;

  beforeAll(async () => {
    server = await startGrpcServer({
      serviceName: 'auth',
      host: '127.0.0.1',
      port: 0,
      logger: testLogger('test'),
      services: [
        {
          definition: AuthServiceService,
          implementation: {
            ...unimplementedService(AuthServiceService),
            getUserContext: unaryHandler(async ({ userId }) =>
              userId === 'slow'
                ? new Promise(() => {})
                : err(failure('invalid', 'bad_user_id', 'user_id is malformed', [{ field: 'user_id', message: 'ünïcode is not allowed' }])),
            ),
          },
        },
      ],
    });
    client = new AuthServiceClient(server.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.shutdown();
  });

  it('gives back the failure the server answered with, field violations included', async () => {
    const answer = await grpcUnaryCall(
      'auth',
      client.getUserContext.bind(client),
      { userId: 'x', callingService: 't' },
      { timeoutMs: 5_000 },
    );
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.error).toMatchObject({ kind: 'invalid', code: 'bad_user_id' });
    expect(answer.error.violations).toEqual([{ field: 'user_id', message: 'ünïcode is not allowed' }]);
  });

  it('reads an unimplemented rpc and a deadline as an unavailable dependency', async () => {
    const unimplemented = await grpcUnaryCall(
      'auth',
      client.validateToken.bind(client),
      { token: '', callingService: '', requestId: '' },
      { timeoutMs: 5_000 },
    );
    expect(!unimplemented.ok && unimplemented.error.kind).toBe('unavailable');
    const slow = await grpcUnaryCall(
      'auth',
      client.getUserContext.bind(client),
      { userId: 'slow', callingService: 't' },
      { timeoutMs: 100 },
    );
    expect(!slow.ok && slow.error).toMatchObject({ kind: 'unavailable', code: 'dependency_unavailable' });
    expect(!slow.ok && slow.error.message).toContain('DEADLINE_EXCEEDED');
  });

  it('never lets a hop outlive the caller deadline', async () => {
    const started = Date.now();
    const answer = await grpcUnaryCall(
      'auth',
      client.getUserContext.bind(client),
      { userId: 'slow', callingService: 't' },
      {
        timeoutMs: 10_000,
        deadline: new Date(Date.now() + 150),
      },
    );
    expect(answer.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
