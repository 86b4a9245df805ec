import { status } from '@grpc/grpc-js';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startTrace } from '../observability/trace-context.js';
import { runInScope } from '../observability/trace-context-scope.js';
import { endRpcSpan, rpcNameOf, serverAttributes, startRpcClientSpan } from './grpc-spans.js';

describe('gRPC spans', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('test');
  const parent = startTrace();
  afterAll(() => provider.shutdown());
  beforeEach(() => exporter.reset());

  it('are named service/method after the path, with the semantic attributes of gRPC', () => {
    expect(rpcNameOf('/auth.AuthService/CheckPermission')).toEqual({
      name: 'auth.AuthService/CheckPermission',
      service: 'auth.AuthService',
      method: 'CheckPermission',
    });
    expect(serverAttributes('10.0.0.7:9000')).toEqual({ 'server.address': '10.0.0.7', 'server.port': 9000 });
    expect(serverAttributes('[::1]:9000')).toEqual({ 'server.address': '::1', 'server.port': 9000 });
  });

  it('start a client span only in sampled work that records spans', () => {
    expect(startRpcClientSpan('/auth.AuthService/GetUser')).toBeUndefined();
    expect(runInScope({ trace: parent }, () => startRpcClientSpan('/auth.AuthService/GetUser'))).toBeUndefined();
    // A hop of an unsampled span is not sampled either: the SDK is not even asked.
    expect(
      runInScope({ trace: { ...parent, flags: '00' }, tracer }, () => startRpcClientSpan('/auth.AuthService/GetUser')),
    ).toBeUndefined();
    const span = runInScope({ trace: parent, tracer }, () => startRpcClientSpan('/auth.AuthService/GetUser', '127.0.0.1:9000'))!;
    endRpcSpan(span, status.OK, 'client');
    const [recorded] = exporter.getFinishedSpans();
    expect(recorded!.parentSpanContext?.spanId).toBe(parent.spanId);
    expect(recorded!.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'auth.AuthService',
      'rpc.method': 'GetUser',
      'rpc.grpc.status_code': 0,
      'server.address': '127.0.0.1',
      'server.port': 9000,
    });
  });

  it.each([
    ['client', status.NOT_FOUND, true],
    ['server', status.NOT_FOUND, false],
    ['server', status.PERMISSION_DENIED, false],
    ['server', status.INTERNAL, true],
    ['server', status.UNAVAILABLE, true],
    ['client', status.OK, false],
  ] as const)('mark a %s span ending with code %i as failed: %s', (kind, code, failed) => {
    const span = tracer.startSpan('x');
    endRpcSpan(span, code, kind, 'details');
    const [recorded] = exporter.getFinishedSpans();
    expect(recorded!.attributes['rpc.grpc.status_code']).toBe(code);
    expect(recorded!.status.code).toBe(failed ? 2 : 0);
    if (failed) expect(recorded!.attributes['error.type']).toBe(status[code]);
  });
});
