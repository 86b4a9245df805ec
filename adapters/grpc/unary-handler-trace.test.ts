import { Writable } from 'node:stream';
import { Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authClient, startAuthServer, validateToken } from '../../contract-tests/grpc/auth-test-server.js';
import { createLogger } from '../observability/logger.js';
import type { TraceContext } from '../observability/trace-context.js';
import { currentTrace, runInTrace } from '../observability/trace-context-scope.js';
import { ValidateTokenResponse, type AuthServiceClient } from './generated/auth.js';
import { grpcUnaryCall } from './grpc-unary-call.js';
import type { RunningGrpcServer } from './grpc-server.js';
import { unaryHandler } from './unary-handler.js';

const CALLER = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' };

/** One hop of a trace over gRPC: the caller's span goes out as `traceparent`, the handler runs in it. */
describe('gRPC calls in a trace', () => {
  const lines: Record<string, unknown>[] = [];
  const seen: { trace: TraceContext | undefined; traceparent: unknown }[] = [];
  let server: RunningGrpcServer;
  let client: AuthServiceClient;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    const logger = createLogger('grpc-trace-test', 'debug', sink);
    server = await startAuthServer({
      validateToken: unaryHandler(async (_request, context) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push({ trace: currentTrace(), traceparent: context.metadata.get('traceparent')[0] });
        logger.info({ token: _request.token }, 'validating');
        return ValidateTokenResponse.fromPartial({ valid: true });
      }, logger),
    });
    client = authClient(server);
  });

  afterAll(async () => {
    client.close();
    await server.shutdown();
  });

  const call = (token: string) =>
    grpcUnaryCall('auth', client.validateToken.bind(client), { token, callingService: 'test', requestId: '' }, { timeoutMs: 5_000 });

  it('sends a new span of the current trace and serves the call in a child of it', async () => {
    const answer = await runInTrace(CALLER, () => call('traced'));

    expect(answer.ok).toBe(true);
    const { trace, traceparent } = seen.at(-1)!;
    const sent = String(traceparent).split('-');
    expect(sent).toEqual(['00', CALLER.traceId, expect.stringMatching(/^[0-9a-f]{16}$/), '01']);
    expect(sent[2]).not.toBe(CALLER.spanId);
    expect(trace).toEqual({ traceId: CALLER.traceId, spanId: expect.stringMatching(/^[0-9a-f]{16}$/), flags: '01' });
    expect(trace?.spanId).not.toBe(sent[2]);
  });

  it("writes the handler's lines and one debug line per served call with the trace id", async () => {
    await runInTrace(CALLER, () => call('logged'));

    const handled = lines.find((line) => line['token'] === 'logged');
    expect(handled).toMatchObject({ msg: 'validating', trace_id: CALLER.traceId });
    const served = lines.filter((line) => line['msg'] === 'rpc served' && line['span_id'] === handled?.['span_id']);
    expect(served).toEqual([
      expect.objectContaining({
        level: 20,
        path: '/auth.AuthService/ValidateToken',
        code: 0,
        trace_id: CALLER.traceId,
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('starts a trace for a call that carries none, and sends nothing outside a trace', async () => {
    await call('untraced');

    const { trace, traceparent } = seen.at(-1)!;
    expect(traceparent).toBeUndefined();
    expect(trace?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace?.traceId).not.toBe(CALLER.traceId);
  });

  it("restarts the trace when the caller's traceparent is malformed", async () => {
    const metadata = new Metadata();
    metadata.set('traceparent', `00-${CALLER.traceId}-${'0'.repeat(16)}-01`);
    await validateToken(client, { token: 'malformed' }, metadata);

    expect(seen.at(-1)?.trace?.traceId).not.toBe(CALLER.traceId);
  });
});
