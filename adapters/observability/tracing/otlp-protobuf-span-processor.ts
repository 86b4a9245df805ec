import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { runDetached } from '../trace-context-scope.js';
import { MeshSpan } from './mesh-tracer.js';
import { OtlpProtobufSpans } from './otlp-protobuf-spans.js';

/** Whether the span is sampled; the mesh's spans say so without making their SpanContext. */
const isSampled = (span: ReadableSpan): boolean =>
  span instanceof MeshSpan ? span.trace.flags === '01' : (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;

/** Sends one batch of encoded spans (the SDK's OTLP/HTTP export delegate: retries, timeout, transport). */
export interface OtlpProtobufSender {
  export(batch: OtlpProtobufSpans, done: (result: ExportResult) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface OtlpProtobufSpanProcessorOptions {
  readonly sender: OtlpProtobufSender;
  /** How long the first span of a batch waits for the batch to fill (OTEL_BSP_SCHEDULE_DELAY). */
  readonly scheduledDelayMillis: number;
  /** Spans per export request (OTEL_BSP_MAX_EXPORT_BATCH_SIZE's default). */
  readonly maxExportBatchSize?: number;
  /** Spans waiting to be sent beyond which new ones are dropped (OTEL_BSP_MAX_QUEUE_SIZE's default). */
  readonly maxQueueSize?: number;
  /** How long an export may take before the next batch goes (OTEL_BSP_EXPORT_TIMEOUT's default). */
  readonly exportTimeoutMillis?: number;
  /** Spans that will not reach the backend: the export failed, or the queue was full. */
  readonly onLost?: (error: Error | undefined, spans: number) => void;
}

/**
 * The batch span processor of the OTLP/protobuf export (docs/adr/0065): the SDK's batching rules
 * (a batch goes when it is full or its first span has waited the schedule delay, one export at a
 * time, spans beyond the queue size dropped), but each span is encoded when it ends and only its
 * bytes wait for the export, so finished span objects die young instead of filling the old generation.
 */
export class OtlpProtobufSpanProcessor implements SpanProcessor {
  private readonly sender: OtlpProtobufSender;
  private readonly delayMs: number;
  private readonly batchSize: number;
  private readonly queueSize: number;
  private readonly timeoutMs: number;
  private readonly onLost: (error: Error | undefined, spans: number) => void;
  private filling = new OtlpProtobufSpans();
  private readonly full: OtlpProtobufSpans[] = [];
  /** Spans encoded and not yet handed to the sender. */
  private waiting = 0;
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  /** Batches sealed and batches answered so far (they are sent in order), and the flushes waiting for a count. */
  private sealed = 0;
  private answered = 0;
  private readonly flushes: { readonly upTo: number; readonly done: () => void }[] = [];

  constructor(options: OtlpProtobufSpanProcessorOptions) {
    this.sender = options.sender;
    this.delayMs = options.scheduledDelayMillis;
    this.queueSize = options.maxQueueSize ?? 2048;
    this.batchSize = Math.min(options.maxExportBatchSize ?? 512, this.queueSize);
    this.timeoutMs = options.exportTimeoutMillis ?? 30_000;
    this.onLost = options.onLost ?? (() => {});
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopping || !isSampled(span)) return;
    if (this.waiting >= this.queueSize) {
      this.onLost(undefined, 1);
      return;
    }
    this.filling.add(span);
    this.waiting += 1;
    if (this.filling.count >= this.batchSize) {
      this.seal();
      this.sendNext();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.seal();
        this.sendNext();
      }, this.delayMs).unref();
    }
  }

  /** Sends every span that has ended, and resolves once the sender has answered for them (not for spans ending meanwhile). */
  async forceFlush(): Promise<void> {
    this.seal();
    this.sendNext();
    const upTo = this.sealed;
    if (this.answered < upTo) await new Promise<void>((done) => this.flushes.push({ upTo, done }));
    await this.sender.forceFlush();
  }

  shutdown(): Promise<void> {
    return (this.stopping ??= this.forceFlush().then(() => this.sender.shutdown()));
  }

  private seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.filling.count === 0) return;
    this.full.push(this.filling);
    this.sealed += 1;
    // The next batch is likely the size of this one: its buffer starts at that size, not doubling up to it.
    this.filling = new OtlpProtobufSpans(Math.ceil(this.filling.bytes * 1.25));
  }

  private sendNext(): void {
    if (this.sending) return;
    const batch = this.full.shift();
    if (!batch) return;
    this.waiting -= batch.count;
    this.sending = new Promise<ExportResult>((resolve) => {
      const timeout = setTimeout(
        () => resolve({ code: ExportResultCode.FAILED, error: new Error('span export timed out') }),
        this.timeoutMs,
      );
      // The export is not part of the work whose span filled the batch.
      runDetached(() =>
        this.sender.export(batch, (result) => {
          clearTimeout(timeout);
          resolve(result);
        }),
      );
    }).then((result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.onLost(result.error, batch.count);
      this.sending = undefined;
      this.answered += 1;
      for (const flush of this.flushes.filter(({ upTo }) => upTo <= this.answered)) {
        this.flushes.splice(this.flushes.indexOf(flush), 1);
        flush.done();
      }
      // Batches filled during the export go now; a partial one goes when its first span's delay is up.
      this.sendNext();
    });
  }
}
