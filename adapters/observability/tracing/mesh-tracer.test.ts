import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type ReadableSpan,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { startTrace } from '../trace-context.js';
import { MeshTracer } from './mesh-tracer.js';
import { OtlpProtobufSpans } from './otlp-protobuf-spans.js';
import { followsParentSampling, SpanKind as Kind, startSpan, traceOfSpan } from './spans.js';

const resource = resourceFromAttributes({ 'service.name': 'api-gateway', 'process.pid': 4242 });

/** The mesh's tracer and the SDK's, each handing its finished spans to a list. */
const tracers = (sampler: Sampler = new AlwaysOnSampler(), followsParent = false) => {
  const ended: ReadableSpan[] = [];
  const mesh = new MeshTracer({
    resource,
    scope: { name: 'meshwork' },
    sampler,
    processor: { onEnd: (span) => ended.push(span) },
    followsParent,
  });
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource, sampler, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { mesh, ended, sdk: provider.getTracer('meshwork'), sdkEnded: () => exporter.getFinishedSpans() };
};

const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
  isRemote: true,
  traceState: new TraceState('vendor=value'),
});

/** The same spans through the API and through `startSpan`: every field an exporter reads. */
const recordVariety = (tracer: Tracer): void => {
  const server = tracer.startSpan(
    'POST',
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', absent: undefined } },
    remoteParent,
  );
  server.updateName('POST /projects');
  const local = trace.setSpan(ROOT_CONTEXT, server);
  const client = tracer.startSpan('auth.AuthService/ValidateToken', { kind: SpanKind.CLIENT }, local);
  client.setAttributes({ negative: -42, fraction: 0.25, yes: true, strings: ['a', 'ü'], numbers: [1, 2.5] });
  client.addEvent('retry', { 'meshwork.attempt': 2 });
  client.recordException(new TypeError('no connection'));
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'UNAVAILABLE: no connection' });
  client.setStatus({ code: SpanStatusCode.UNSET });
  client.end();
  client.setAttribute('after.end', 1);
  client.end();
  const producer = tracer.startSpan(
    'publish project:events:created',
    {
      kind: SpanKind.PRODUCER,
      links: [
        {
          context: { traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanId: 'bbbbbbbbbbbbbbbb', traceFlags: 1 },
          attributes: { why: 'batch' },
        },
      ],
    },
    local,
  );
  producer.setStatus({ code: SpanStatusCode.OK });
  producer.setStatus({ code: SpanStatusCode.ERROR });
  producer.end();
  const crowded = tracer.startSpan('crowded', { attributes: Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`a.${i}`, i])) });
  for (let i = 0; i < 10; i += 1) crowded.setAttribute(`b.${i}`, i);
  crowded.setAttribute('a.0', 'replaced');
  crowded.end();
  const hop = startSpan(tracer, 'project.ProjectService/CreateProject', Kind.CLIENT, traceOfSpan(server), { 'rpc.system': 'grpc' });
  hop.end();
  server.end();
};

/** An export request as OTLP/JSON, without what differs between two recordings of the same work (ids, times). */
const comparable = (spans: ReadableSpan[]): unknown =>
  JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString(), (key, value: unknown) =>
    ['traceId', 'spanId', 'parentSpanId', 'startTimeUnixNano', 'endTimeUnixNano', 'timeUnixNano'].includes(key)
      ? typeof value
      : key === 'value' && (value as { stringValue?: string }).stringValue?.startsWith('TypeError: no connection\n')
        ? 'stack'
        : value,
  );

const ids = (span: ReadableSpan) => ({
  span: span.spanContext().spanId,
  parent: span.parentSpanContext?.spanId,
  trace: span.spanContext().traceId,
  remote: span.parentSpanContext?.isRemote,
  state: span.spanContext().traceState?.serialize(),
});

describe("the mesh's tracer", () => {
  it("records what the SDK's tracer records, as its exporters read it: names, kinds, parents, attributes and their limit, events, exceptions, links, status", () => {
    const { mesh, ended, sdk, sdkEnded } = tracers();
    recordVariety(mesh);
    recordVariety(sdk);
    expect(ended.map((span) => span.name)).toEqual(sdkEnded().map((span) => span.name));
    expect(comparable(ended)).toEqual(comparable(sdkEnded()));
    expect(ended.find((span) => span.name === 'crowded')).toMatchObject({ droppedAttributesCount: 12 });
    // Parents and trace state by position: the hop's parent is the server span, the server's the remote caller.
    const [server, client, producer, , hop] = [ended.at(-1)!, ...ended];
    expect(ids(server)).toMatchObject({
      parent: 'b7ad6b7169203331',
      trace: '0af7651916cd43dd8448eb211c80319c',
      remote: true,
      state: 'vendor=value',
    });
    for (const child of [client!, producer!, hop!])
      expect(ids(child)).toMatchObject({ parent: ids(server).span, trace: ids(server).trace, remote: false });
  });

  it('writes with the protobuf encoder the bytes the SDK serializer writes of its spans', () => {
    const { mesh, ended } = tracers();
    recordVariety(mesh);
    const batch = new OtlpProtobufSpans();
    for (const span of ended) batch.add(span);
    expect(Buffer.from(batch.request())).toEqual(Buffer.from(ProtobufTraceSerializer.serializeRequest(ended)!));
  });

  it('times a span on the wall clock, start before end, and hands it over once when it ends', async () => {
    const { mesh, ended } = tracers();
    const before = BigInt(Date.now() - 1) * 1_000_000n;
    const span = mesh.startSpan('timed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    span.end();
    span.end();
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    const nanos = ([seconds, fraction]: [number, number]) => BigInt(seconds) * 1_000_000_000n + BigInt(fraction);
    const [recorded] = ended;
    expect(ended).toHaveLength(1);
    expect(nanos(recorded!.startTime)).toBeGreaterThanOrEqual(before);
    expect(nanos(recorded!.endTime)).toBeLessThanOrEqual(after);
    expect(nanos(recorded!.endTime) - nanos(recorded!.startTime)).toBeGreaterThanOrEqual(15_000_000n);
    expect(recorded!.ended && !span.isRecording()).toBe(true);
  });

  it('samples as the configured sampler: off records nothing, a ratio by trace id, parent-based by the parent', () => {
    const off = tracers(new AlwaysOffSampler());
    const dropped = startSpan(off.mesh, 'dropped', Kind.SERVER, undefined, {});
    dropped.end();
    expect([dropped.isRecording(), traceOfSpan(dropped).flags, off.ended.length]).toEqual([false, '00', 0]);

    const ratio = tracers(new TraceIdRatioBasedSampler(0.5));
    const decisions = Array.from({ length: 200 }, () => startSpan(ratio.mesh, 'maybe', Kind.SERVER, undefined, {}));
    const sampler = new TraceIdRatioBasedSampler(0.5);
    for (const span of decisions) {
      const expected = sampler.shouldSample(ROOT_CONTEXT, span.spanContext().traceId).decision === 2;
      expect(span.isRecording()).toBe(expected);
    }
    expect(decisions.filter((span) => span.isRecording()).length).toBeGreaterThan(50);

    const parentBased = tracers(new ParentBasedSampler({ root: new AlwaysOffSampler() }), true);
    followsParentSampling(parentBased.mesh);
    const sampledParent = startTrace();
    const spans: Span[] = [
      startSpan(parentBased.mesh, 'root', Kind.SERVER, undefined, {}),
      startSpan(parentBased.mesh, 'child of sampled', Kind.SERVER, sampledParent, {}, true),
      startSpan(parentBased.mesh, 'child of unsampled', Kind.SERVER, { ...sampledParent, flags: '00' }, {}, true),
    ];
    expect(spans.map((span) => span.isRecording())).toEqual([false, true, false]);
    expect(traceOfSpan(spans[1]!).traceId).toBe(sampledParent.traceId);
  });
});
