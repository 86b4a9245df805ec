import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startTrace } from '../trace-context.js';
import { currentScope } from '../trace-context-scope.js';
import { followsParentSampling, runInSpan, SpanKind, startSpan, traceOfSpan, type Tracer } from './spans.js';

describe('spans on the trace scope', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  afterAll(() => provider.shutdown());
  beforeEach(() => exporter.reset());

  /** The SDK's tracer, counting how often it is asked for a span. */
  const counting = () => {
    const sdk = provider.getTracer('test');
    let asked = 0;
    const tracer: Tracer = {
      startSpan: (...args: Parameters<Tracer['startSpan']>) => {
        asked += 1;
        return sdk.startSpan(...args);
      },
      startActiveSpan: sdk.startActiveSpan.bind(sdk) as Tracer['startActiveSpan'],
    };
    return { tracer, asked: () => asked };
  };

  it("continue the parent's trace with ids the SDK makes, sampled as the parent is", () => {
    const { tracer } = counting();
    const parent = startTrace();
    const span = startSpan(tracer, 'work', SpanKind.SERVER, parent, { 'rpc.system': 'grpc' }, true);
    span.end();
    const [recorded] = exporter.getFinishedSpans();
    expect(traceOfSpan(span)).toEqual({ traceId: parent.traceId, spanId: recorded!.spanContext().spanId, flags: '01' });
    expect(recorded!.parentSpanContext).toMatchObject({ spanId: parent.spanId, isRemote: true });
    expect(recorded!.attributes).toEqual({ 'rpc.system': 'grpc' });
  });

  it('make the unsampled child of an unsampled parent without the SDK when the sampler follows parents', () => {
    const plain = counting();
    const following = counting();
    followsParentSampling(following.tracer);
    const unsampled = { ...startTrace(), flags: '00' };
    let built = 0;
    const attributes = () => ((built += 1), { 'rpc.system': 'grpc' });

    const asked = startSpan(plain.tracer, 'work', SpanKind.SERVER, unsampled, attributes, true);
    const skipped = startSpan(following.tracer, 'work', SpanKind.SERVER, unsampled, attributes, true);

    expect([plain.asked(), following.asked(), built]).toEqual([1, 0, 1]);
    for (const span of [asked, skipped]) {
      expect(span.isRecording()).toBe(false);
      expect(traceOfSpan(span)).toMatchObject({ traceId: unsampled.traceId, flags: '00' });
      expect(traceOfSpan(span).spanId).not.toBe(unsampled.spanId);
    }
    expect(startSpan(following.tracer, 'work', SpanKind.SERVER, startTrace(), attributes, true).isRecording()).toBe(true);
  });

  it('run work in its span, ending it when the work settles, failed when it rejects', async () => {
    const { tracer } = counting();
    const span = startSpan(tracer, 'job', SpanKind.CONSUMER, startTrace(), {});
    const seen = await runInSpan(span, tracer, async () => currentScope());
    expect(seen).toEqual({ trace: traceOfSpan(span), tracer });
    const failing = startSpan(tracer, 'job', SpanKind.CONSUMER, startTrace(), {});
    await expect(runInSpan(failing, tracer, async () => Promise.reject(new TypeError('bad job')))).rejects.toThrow('bad job');
    expect(exporter.getFinishedSpans().map((s) => [s.status.code, s.attributes['error.type']])).toEqual([
      [0, undefined],
      [2, 'TypeError'],
    ]);
  });
});
