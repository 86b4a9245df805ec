import { Metadata, status } from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authClient, startAuthServer, validateToken } from '../../contract-tests/grpc/auth-test-server.js';
import { DomainFailureError, failure } from '../../core/shared/errors.js';
import { err, ok } from '../../core/shared/result.js';
import { HealthCheckResponse, ValidateTokenResponse, type AuthServiceClient } from './generated/auth.js';
import type { RunningGrpcServer } from './grpc-server.js';
import { FAILURE_METADATA } from './to-grpc-status.js';
import { unaryHandler, type UnaryContext } from './unary-handler.js';

const tokenResponse = (fields: Partial<ValidateTokenResponse>) => ValidateTokenResponse.fromPartial(fields);

describe('unaryHandler', () => {
  let server: RunningGrpcServer | undefined;
  let client: AuthServiceClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.shutdown();
  });

  it('answers with the response the handler resolves to', async () => {
    server = await startAuthServer({
      validateToken: unaryHandler(async (request) => tokenResponse({ valid: true, userId: `for-${request.token}` })),
    });
    client = authClient(server);
    const { response } = await validateToken(client, { token: 't1' });
    expect(response).toMatchObject({ valid: true, userId: 'for-t1' });
  });

  it('answers with the value of an ok result', async () => {
    server = await startAuthServer({ validateToken: unaryHandler(async () => ok(tokenResponse({ userId: 'u2' }))) });
    client = authClient(server);
    expect((await validateToken(client)).response?.userId).toBe('u2');
  });

  it('answers a returned failure with its gRPC status, message and code', async () => {
    const notFound = failure('not_found', 'session_missing', 'No such session');
    server = await startAuthServer({ validateToken: unaryHandler(async () => err(notFound)) });
    client = authClient(server);
    const { error } = await validateToken(client);
    expect(error?.code).toBe(status.NOT_FOUND);
    expect(error?.details).toBe('No such session');
    expect(error?.metadata.get(FAILURE_METADATA.code)).toEqual(['session_missing']);
  });

  it('answers a thrown DomainFailureError with its gRPC status', async () => {
    const denied = failure('forbidden', 'not_admin', 'Admins only');
    server = await startAuthServer({
      validateToken: unaryHandler(async () => {
        throw new DomainFailureError(denied);
      }),
    });
    client = authClient(server);
    const { error } = await validateToken(client);
    expect(error?.code).toBe(status.PERMISSION_DENIED);
    expect(error?.details).toBe('Admins only');
  });

  it.each([
    ['rejects', async () => Promise.reject(new Error('pg://admin:hunter2@db failed'))],
    [
      'throws synchronously',
      (() => {
        throw new Error('pg://admin:hunter2@db failed');
      }) as () => Promise<ValidateTokenResponse>,
    ],
  ])('answers INTERNAL, logs the fault and keeps serving when the handler %s', async (_how, faulty) => {
    const logged: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    server = await startAuthServer(
      {
        validateToken: unaryHandler(faulty, logger),
        healthCheck: unaryHandler(async () => HealthCheckResponse.fromPartial({ status: 'SERVING' }), logger),
      },
      { logger },
    );
    client = authClient(server);

    const { error } = await validateToken(client);
    expect(error?.code).toBe(status.INTERNAL);
    expect(error?.details).toBe('Internal error');
    expect(JSON.stringify(error?.metadata.getMap())).not.toContain('hunter2');
    expect(logged.join('')).toContain('hunter2');
    expect(logged.join('')).toContain('/auth.AuthService/ValidateToken');

    const health = await new Promise((resolve, reject) =>
      client!.healthCheck({ callingService: 'test' }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    expect(health).toMatchObject({ status: 'SERVING' });
  });

  it('gives the handler the call metadata and deadline', async () => {
    server = await startAuthServer({
      validateToken: unaryHandler(async (_request, context) =>
        tokenResponse({
          sessionId: String(context.metadata.get('x-request-id')[0]),
          expiresAt: context.deadline?.getTime() ?? 0,
        }),
      ),
    });
    client = authClient(server);
    const metadata = new Metadata();
    metadata.set('x-request-id', 'req-42');
    const deadline = Date.now() + 60_000;
    const { response } = await validateToken(client, {}, metadata, { deadline });
    expect(response?.sessionId).toBe('req-42');
    // The deadline travels as a timeout: the server's clock reads it back, give or take the trip.
    expect(Math.abs((response?.expiresAt ?? 0) - deadline)).toBeLessThan(10_000);
  });

  it('tells the handler when the caller cancels', async () => {
    let seen: UnaryContext | undefined;
    server = await startAuthServer({
      validateToken: unaryHandler(async (_request, context) => {
        seen = context;
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
        return tokenResponse({});
      }),
    });
    client = authClient(server);
    const call = client.validateToken({ token: 't', callingService: 'test', requestId: 'r' }, () => undefined);
    await vi.waitFor(() => expect(seen).toBeDefined(), { timeout: 15_000 });
    expect(seen?.signal.aborted).toBe(false);
    call.cancel();
    await vi.waitFor(() => expect(seen?.signal.aborted).toBe(true), { timeout: 15_000 });
  });

  it('leaves the signal of an answered call alone when its stream closes', async () => {
    const signals: AbortSignal[] = [];
    server = await startAuthServer({
      validateToken: unaryHandler(async (_request, context) => {
        signals.push(context.signal);
        return tokenResponse({ valid: true });
      }),
    });
    client = authClient(server);
    for (let i = 0; i < 5; i += 1) await validateToken(client, { token: `t${i}` });
    // grpc-js reports a stream closed after its answer as cancelled, on a later tick.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(signals).toHaveLength(5);
    expect(signals.filter((signal) => signal.aborted)).toEqual([]);
  });
});
