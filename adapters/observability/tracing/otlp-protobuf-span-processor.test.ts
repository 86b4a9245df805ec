import { SamplingDecision, SpanKind } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeOtlpTraces } from '../../../test-support/otlp-receiver.js';
import {
  OtlpProtobufSpanProcessor,
  type OtlpProtobufSender,
  type OtlpProtobufSpanProcessorOptions,
} from './otlp-protobuf-span-processor.js';
import type { OtlpProtobufSpans } from './otlp-protobuf-spans.js';

/** A sender that keeps each batch and answers only when told to. */
class HeldSender implements OtlpProtobufSender {
  readonly batches: { readonly names: string[]; readonly answer: (result: ExportResult) => void }[] = [];
  shutDown = false;

  export(batch: OtlpProtobufSpans, done: (result: ExportResult) => void): void {
    const names = decodeOtlpTraces(Buffer.from(batch.request()), 'application/x-protobuf').map((span) => span.name);
    this.batches.push({ names, answer: done });
  }

  answerAll(code = ExportResultCode.SUCCESS): void {
    for (const batch of this.batches.splice(0)) batch.answer({ code });
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.shutDown = true;
  }
}

const setUp = (options: Partial<OtlpProtobufSpanProcessorOptions> = {}, sampler: Sampler = new AlwaysOnSampler()) => {
  const sender = new HeldSender();
  const lost: { error: Error | undefined; spans: number }[] = [];
  const processor = new OtlpProtobufSpanProcessor({
    sender,
    scheduledDelayMillis: 60_000,
    onLost: (error, spans) => lost.push({ error, spans }),
    ...options,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'test' }),
    sampler,
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('meshwork');
  const end = (...names: string[]) => {
    for (const name of names) tracer.startSpan(name, { kind: SpanKind.INTERNAL }).end();
  };
  return { sender, lost, processor, end };
};

const names = (count: number, prefix = 'span'): string[] => Array.from({ length: count }, (_, i) => `${prefix} ${i}`);

describe('the OTLP protobuf span processor', () => {
  afterEach(() => vi.useRealTimers());

  it('sends a batch as soon as it is full, its spans in the order they ended', () => {
    const { sender, end } = setUp({ maxExportBatchSize: 3 });
    end('a', 'b');
    expect(sender.batches).toHaveLength(0);
    end('c');
    expect(sender.batches.map((batch) => batch.names)).toEqual([['a', 'b', 'c']]);
  });

  it('sends a partial batch once its first span has waited the schedule delay', () => {
    vi.useFakeTimers();
    const { sender, end } = setUp({ scheduledDelayMillis: 1_000 });
    end('a');
    vi.advanceTimersByTime(600);
    end('b');
    vi.advanceTimersByTime(399);
    expect(sender.batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sender.batches.map((batch) => batch.names)).toEqual([['a', 'b']]);
  });

  it('ignores spans that are recorded but not sampled', () => {
    const { sender, processor, end } = setUp({}, { shouldSample: () => ({ decision: SamplingDecision.RECORD }) });
    end('recorded only');
    void processor.forceFlush();
    expect(sender.batches).toHaveLength(0);
  });

  it('sends one batch at a time: the next full one goes when the sender has answered', async () => {
    const { sender, end } = setUp({ maxExportBatchSize: 2 });
    end('a', 'b', 'c', 'd', 'e', 'f');
    expect(sender.batches.map((batch) => batch.names)).toEqual([['a', 'b']]);
    sender.answerAll();
    await vi.waitFor(() => expect(sender.batches.map((batch) => batch.names)).toEqual([['c', 'd']]));
    sender.answerAll();
    await vi.waitFor(() => expect(sender.batches.map((batch) => batch.names)).toEqual([['e', 'f']]));
  });

  it('drops spans beyond the queue size while an export is under way, and reports them', () => {
    const { sender, lost, end } = setUp({ maxExportBatchSize: 2, maxQueueSize: 4 });
    end(...names(2, 'sent'));
    end(...names(5, 'waiting'));
    expect(sender.batches).toHaveLength(1);
    expect(lost).toEqual([{ error: undefined, spans: 1 }]);
  });

  it('reports the spans of a failed export and goes on with the next batch', async () => {
    const { sender, lost, end } = setUp({ maxExportBatchSize: 2 });
    end('a', 'b', 'c', 'd');
    sender.answerAll(ExportResultCode.FAILED);
    await vi.waitFor(() => expect(lost).toEqual([{ error: undefined, spans: 2 }]));
    await vi.waitFor(() => expect(sender.batches.map((batch) => batch.names)).toEqual([['c', 'd']]));
  });

  it('gives up on an export that takes longer than its timeout and sends the next batch', async () => {
    const { sender, lost, end } = setUp({ maxExportBatchSize: 2, exportTimeoutMillis: 50 });
    end('a', 'b', 'c', 'd');
    await vi.waitFor(
      () =>
        expect(sender.batches.map((batch) => batch.names)).toEqual([
          ['a', 'b'],
          ['c', 'd'],
        ]),
      { timeout: 10_000 },
    );
    expect(lost).toEqual([{ error: new Error('span export timed out'), spans: 2 }]);
  });

  it('flushes the spans ended before the flush, without waiting for those ending after it', async () => {
    const { sender, processor, end } = setUp({ maxExportBatchSize: 2 });
    end('a', 'b', 'c');
    let flushed = false;
    const flushing = processor.forceFlush().then(() => (flushed = true));
    end('d', 'e');
    sender.answerAll();
    await vi.waitFor(() => expect(sender.batches.map((batch) => batch.names)).toEqual([['c']]));
    sender.answerAll();
    await flushing;
    expect(flushed).toBe(true);
    await vi.waitFor(() => expect(sender.batches.map((batch) => batch.names)).toEqual([['d', 'e']]));
  });

  it('flushes every ended span, waiting for the answers; shutdown flushes, stops the sender and takes no more spans', async () => {
    const { sender, processor, end } = setUp({ maxExportBatchSize: 2 });
    end('a', 'b', 'c');
    let flushed = false;
    const flushing = processor.forceFlush().then(() => (flushed = true));
    expect(sender.batches.map((batch) => batch.names)).toEqual([['a', 'b']]);
    sender.answerAll();
    await vi.waitFor(() => expect(sender.batches.map((batch) => batch.names)).toEqual([['c']]));
    expect(flushed).toBe(false);
    sender.answerAll();
    await flushing;
    end('d');
    const stopping = processor.shutdown();
    await vi.waitFor(() => expect(sender.batches.map((batch) => batch.names)).toEqual([['d']]));
    sender.answerAll();
    await stopping;
    expect(sender.shutDown).toBe(true);
    end('after');
    await processor.forceFlush();
    expect(sender.batches).toHaveLength(0);
  });
});
