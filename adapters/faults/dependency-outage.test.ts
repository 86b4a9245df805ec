import { credentials, status } from '@grpc/grpc-js';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { findFreePorts } from '../../test-support/free-ports.js';
import { AuthServiceClient, AuthServiceService } from '../grpc/generated/auth.js';
import { startGrpcServer } from '../grpc/grpc-server.js';
import { grpcUnaryCall } from '../grpc/grpc-unary-call.js';
import { unaryHandler } from '../grpc/unary-handler.js';
import { unimplementedService } from '../grpc/unimplemented-service.js';
import { problemForError } from '../http/problem-handlers.js';
import { createLogger } from '../observability/logger.js';
import { dependencyOutage } from './dependency-outage.js';

/** An error from a PostgreSQL server that is not there, as a repository would see it. */
const unreachablePostgresError = async (): Promise<unknown> => {
  const [port] = await findFreePorts(1);
  const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/none`, connectionTimeoutMillis: 2_000 });
  try {
    await pool.query('select 1');
  } catch (error) {
    return error;
  } finally {
    await pool.end();
  }
  throw new Error('expected the query to fail');
};

describe('dependencyOutage', () => {
  it('reads an unreachable database as unavailable, and leaves other errors alone', async () => {
    const error = await unreachablePostgresError();
    expect(dependencyOutage(error)).toMatchObject({ kind: 'unavailable', code: 'dependency_unavailable' });
    expect(dependencyOutage(Object.assign(new Error('terminating connection'), { code: '57P01' }))?.kind).toBe('unavailable');
    expect(dependencyOutage(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
    expect(dependencyOutage(new TypeError('a bug'))).toBeUndefined();
  });

  it('turns it into 503 problem+json over HTTP', async () => {
    const { problem, fault } = problemForError(await unreachablePostgresError());
    expect(fault).toBe(false);
    expect(problem.status).toBe(503);
  });

  it('turns it into UNAVAILABLE over gRPC', async () => {
    const outage = await unreachablePostgresError();
    const server = await startGrpcServer({
      serviceName: 'auth',
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('test'),
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
      const asResult = await grpcUnaryCall('auth', client.getUserContext.bind(client), { userId: 'u', callingService: 't' }, { timeoutMs: 5_000 });
      expect(!asResult.ok && asResult.error.kind).toBe('unavailable');
    } finally {
      client.close();
      await server.shutdown();
    }
  });
});
