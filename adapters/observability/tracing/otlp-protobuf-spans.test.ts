import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeOtlpTraces } from '../../../test-support/otlp-receiver.js';
import { OtlpProtobufSpans } from './otlp-protobuf-spans.js';

/** Spans recorded by the SDK, as an exporter receives them. */
const recorder = () => {
  const exporter = new InMemorySpanExporter();
  const providers = [
    new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'api-gateway', 'process.pid': 4242, 'host.name': 'höst' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    }),
    new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'auth' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.36.0' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    }),
  ];
  return {
    tracers: {
      gateway: providers[0]!.getTracer('meshwork'),
      gatewayOther: providers[0]!.getTracer('other', '1.2.3', { schemaUrl: 'https://example.com/schema' }),
      auth: providers[1]!.getTracer('meshwork'),
    },
    spans: () => exporter.getFinishedSpans(),
    shutdown: () => Promise.all(providers.map((provider) => provider.shutdown())),
  };
};

const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
  isRemote: true,
  traceState: new TraceState('vendor=value'),
});

/** One span of every shape the encoder must get right. */
const recordVariety = (tracers: Record<'gateway' | 'gatewayOther' | 'auth', Tracer>): void => {
  const server = tracers.gateway.startSpan(
    'POST /projects',
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'POST', 'server.port': 8080, 'url.path': '/projects', 'user_agent.original': 'naïve/1.0 ✓' },
    },
    remoteParent,
  );
  const local = trace.setSpan(ROOT_CONTEXT, server);
  const client = tracers.gateway.startSpan('auth.AuthService/ValidateToken', { kind: SpanKind.CLIENT }, local);
  client.setAttributes({
    negative: -42,
    big: 2 ** 40,
    bigNegative: -(2 ** 40),
    fraction: 0.25,
    huge: 1e300,
    yes: true,
    no: false,
    empty: '',
    strings: ['a', 'ü', ''],
    numbers: [1, 2.5, -3],
    booleans: [true, false],
    'long.value': 'x'.repeat(200),
    'longer.value': 'y'.repeat(20_000),
  });
  client.addEvent('retry', { 'meshwork.instance': 'auth-1', 'meshwork.attempt': 2 });
  client.addEvent('bare');
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'UNAVAILABLE: no connection' });
  client.end();
  const producer = tracers.gatewayOther.startSpan(
    'publish project:events:created',
    {
      kind: SpanKind.PRODUCER,
      links: [
        { context: { traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanId: 'bbbbbbbbbbbbbbbb', traceFlags: 1, isRemote: true } },
        {
          context: { traceId: 'cccccccccccccccccccccccccccccccc', spanId: 'dddddddddddddddd', traceFlags: 0 },
          attributes: { why: 'batch' },
        },
      ],
    },
    local,
  );
  producer.setStatus({ code: SpanStatusCode.OK });
  producer.end();
  const crowded = tracers.auth.startSpan('crowded', { kind: SpanKind.INTERNAL });
  for (let i = 0; i < 130; i += 1) crowded.setAttribute(`attribute.${i}`, i);
  crowded.end();
  tracers.auth.startSpan('consumer', { kind: SpanKind.CONSUMER }, remoteParent).end();
  server.end();
};

const encode = (spans: readonly ReadableSpan[]): Uint8Array => {
  const batch = new OtlpProtobufSpans();
  for (const span of spans) batch.add(span);
  return batch.request();
};

describe('OTLP protobuf spans encoded one at a time', () => {
  const { tracers, spans, shutdown } = recorder();
  afterAll(shutdown);

  it("writes the same bytes as the SDK's serializer: kinds, parents, trace state, every attribute type, events, links, status, dropped counts", () => {
    recordVariety(tracers);
    const recorded = spans();
    expect(recorded.map((span) => span.name)).toContain('crowded');
    expect(recorded.find((span) => span.name === 'crowded')!.droppedAttributesCount).toBe(2);
    expect(Buffer.from(encode(recorded))).toEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest([...recorded])!));
  });

  it('groups spans by resource and scope in the order they first ended, as the SDK does', () => {
    const recorded = spans();
    const shuffled = [...recorded].reverse();
    expect(Buffer.from(encode(shuffled))).toEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest(shuffled)!));
    const received = decodeOtlpTraces(Buffer.from(encode(shuffled)), 'application/x-protobuf');
    expect(received.map((span) => span.name)).toEqual([
      'POST /projects',
      'auth.AuthService/ValidateToken',
      'publish project:events:created',
      'consumer',
      'crowded',
    ]);
  });

  it('encodes a full batch of 512 spans, lengths past one byte included', () => {
    for (let i = 0; i < 512; i += 1) {
      tracers.gateway
        .startSpan(
          `project.ProjectService/CreateProject ${i}`,
          { kind: SpanKind.CLIENT, attributes: { 'messaging.message.id': `${i}`.repeat(i % 40) } },
          remoteParent,
        )
        .end();
    }
    const recorded = spans();
    expect(recorded.length).toBeGreaterThan(512);
    const bytes = encode(recorded);
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    expect(Buffer.from(bytes)).toEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest([...recorded])!));
  });

  it('writes the same bytes for attributes seen before: repeated values, values past the cache, non-ASCII, long strings', () => {
    const sql = `select "id", "name" from "projects" where "owner_id" = $1 and "name" like $2 ${'and true '.repeat(30)}`;
    for (let i = 0; i < 300; i += 1) {
      tracers.auth
        .startSpan(
          'SELECT projects',
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'db.query.text': i % 3 === 0 ? sql : `${sql} -- ${i % 7}`,
              'server.port': 5432 + (i % 2),
              'db.namespace': i % 5 === 0 ? 'meshwork|prøject' : 'meshwork|project',
              'user.id': `user-${i}`,
              'meshwork.fraction': i / 8,
              'meshwork.cached': i % 2 === 0,
              'meshwork.long': 'ü'.repeat(i % 50),
            },
          },
          remoteParent,
        )
        .end();
    }
    const recorded = spans();
    // Twice over: the second pass copies what the first one cached.
    for (let pass = 0; pass < 2; pass += 1) {
      expect(Buffer.from(encode(recorded))).toEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest([...recorded])!));
    }
  });

  it('counts the spans it holds and makes an empty request of none', () => {
    const batch = new OtlpProtobufSpans();
    expect(batch.count).toBe(0);
    expect(batch.request().length).toBe(0);
    batch.add(spans()[0]!);
    expect(batch.count).toBe(1);
  });
});
