import { credentials, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { unreachablePostgresError } from '../../test-support/unreachable-postgres.js';
import { AuthServiceClient, AuthServiceService } from './generated/auth.js';
import { startGrpcServer } from './grpc-server.js';
import { grpcUnaryCall } from './grpc-unary-call.js';
import { unaryHandler } from './unary-handler.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';
import { testLogger } from '../../test-support/test-logger.js';

describe('a handler whose dependency is unreachable', () => {
  it('turns it into UNAVAILABLE over gRPC', async () => {
    const outage = await unreachablePostgresError();
    const server = await startGrpcServer({
      serviceName: 'auth',
      host: '127.0.0.1',
      port: 0,
      logger: testLogger('test'),
      services: [
        {
          definition: AuthServiceService,
          implementation: {
            ...unimplementedService(AuthServiceService),
            getUserContext: unaryHandler(async () => {
              throw outage;
            }),
          },
        },
      ],
    });
    const client = new AuthServiceClient(server.address, credentials.createInsecure());
    try {
      const answer = await new Promise<number>((resolve) =>
        client.getUserContext({ userId: 'u', callingService: 't' }, (error) => resolve(error?.code ?? status.OK)),
      );
      expect(answer).toBe(status.UNAVAILABLE);
      const asResult = await grpcUnaryCall(
        'auth',
        client.getUserContext.bind(client),
        { userId: 'u', callingService: 't' },
        { timeoutMs: 5_000 },
      );
      expect(!asResult.ok && asResult.error.kind).toBe('unavailable');
    } finally {
      client.close();
      await server.shutdown();
    }
  });
});
