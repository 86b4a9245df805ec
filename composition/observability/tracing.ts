import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Tracer } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Logger } from '../../adapters/observability/logger.js';
import type { OtlpProtobufSpans } from '../../adapters/observability/tracing/otlp-protobuf-spans.js';
import { MeshTracer } from '../../adapters/observability/tracing/mesh-tracer.js';
import { followsParentSampling } from '../../adapters/observability/tracing/spans.js';
import type { ServiceName } from '../service-names.js';
import type { SamplerName, TracingSettings } from './tracing-settings.js';

/** The span recorders of the services one process runs, and their export (docs/adr/0048). */
export interface ProcessTracing {
  /** The tracer of `service`: its spans carry that service's `service.name`. */
  tracerFor(service: ServiceName): Tracer;
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Exports what is still buffered, then stops exporting. Idempotent. */
  shutdown(): Promise<void>;
}

const EXPORT_FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * Starts one tracer per service of this process, each with its resource (`service.name`), the
 * configured sampler and a batch processor exporting over OTLP/HTTP (protobuf, each span encoded
 * as it ends, or JSON). The spans are the mesh's own (docs/adr/0069); the SDK's samplers,
 * resources, processors and exporters are loaded here only, when traces are exported; nothing is
 * registered globally (no global provider, no context manager, no instrumentation).
 */
export const startTracing = async (
  settings: TracingSettings,
  services: readonly ServiceName[],
  logger: Logger,
): Promise<ProcessTracing> => {
  const [sdk, resources, core] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
  ]);
  const processorOf = settings.protocol === 'http/json' ? await jsonProcessor(settings) : await protobufProcessor(settings);
  const log = logger.child({ component: 'tracing' });
  const samplerOf = (name: SamplerName): Sampler => {
    const ratio = () => new sdk.TraceIdRatioBasedSampler(settings.ratio);
    switch (name) {
      case 'always_on':
        return new sdk.AlwaysOnSampler();
      case 'always_off':
        return new sdk.AlwaysOffSampler();
      case 'traceidratio':
        return ratio();
      case 'parentbased_always_on':
        return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
      case 'parentbased_always_off':
        return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
      case 'parentbased_traceidratio':
        return new sdk.ParentBasedSampler({ root: ratio() });
    }
  };
  const failures = exportFailureLog(log);
  const providers = new Map(
    services.map((service) => {
      const processor = processorOf(failures);
      const tracer = new MeshTracer({
        resource: resources.resourceFromAttributes({
          ...settings.resourceAttributes,
          'service.name': serviceNameOf(settings.serviceName, service, services.length),
          'service.namespace': 'meshwork',
          'service.instance.id': randomUUID(),
          'host.name': hostname(),
          'process.pid': process.pid,
          'telemetry.sdk.name': core.SDK_INFO['telemetry.sdk.name']!,
          'telemetry.sdk.language': core.SDK_INFO['telemetry.sdk.language']!,
          'telemetry.sdk.version': core.SDK_INFO['telemetry.sdk.version']!,
        }),
        scope: { name: 'meshwork' },
        sampler: samplerOf(settings.sampler),
        processor,
        followsParent: settings.sampler.startsWith('parentbased_'),
      });
      return [
        service,
        { processor, tracer: settings.sampler.startsWith('parentbased_') ? followsParentSampling(tracer) : tracer },
      ] as const;
    }),
  );
  log.info(
    { url: settings.url, protocol: settings.protocol, sampler: settings.sampler, services: [...providers.keys()] },
    'exporting traces over OTLP',
  );
  let stopping: Promise<void> | undefined;
  return {
    tracerFor: (service) => {
      const entry = providers.get(service);
      if (!entry) throw new Error(`no tracer for ${service}: this process does not run it`);
      return entry.tracer;
    },
    flush: () => Promise.allSettled([...providers.values()].map(({ processor }) => processor.forceFlush())).then(() => undefined),
    shutdown: () =>
      (stopping ??= Promise.allSettled([...providers.values()].map(({ processor }) => processor.shutdown())).then(() => undefined)),
  };
};

type LostSpans = (error: Error | undefined, spans: number) => void;

/**
 * OTLP/HTTP protobuf: spans encoded as they end and sent in batches (docs/adr/0065), through the
 * SDK's export delegate (the OTEL_EXPORTER_OTLP_* options it reads, retries, timeout, HTTP agent).
 */
const protobufProcessor = async (settings: TracingSettings): Promise<(lost: LostSpans) => SpanProcessor> => {
  const [{ createOtlpHttpExportDelegate, convertLegacyHttpOptions }, { ProtobufTraceSerializer }, { OtlpProtobufSpanProcessor }] =
    await Promise.all([
      import('@opentelemetry/otlp-exporter-base/node-http'),
      import('@opentelemetry/otlp-transformer'),
      import('../../adapters/observability/tracing/otlp-protobuf-span-processor.js'),
    ]);
  return (lost) =>
    new OtlpProtobufSpanProcessor({
      sender: createOtlpHttpExportDelegate(
        convertLegacyHttpOptions({ url: settings.url, headers: { ...settings.headers } }, 'TRACES', 'v1/traces', {
          'Content-Type': 'application/x-protobuf',
        }),
        {
          serializeRequest: (batch: OtlpProtobufSpans) => batch.request(),
          deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
        },
        'otlp_http_span_exporter',
        { name: 'span', countItems: (batch: OtlpProtobufSpans) => batch.count },
        undefined,
      ),
      scheduledDelayMillis: settings.scheduleDelayMs,
      onLost: lost,
    });
};

/** OTLP/HTTP JSON: the SDK's batch processor and exporter as they are. */
const jsonProcessor = async (settings: TracingSettings): Promise<(lost: LostSpans) => SpanProcessor> => {
  const [sdk, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  return (lost) =>
    new sdk.BatchSpanProcessor({
      exporter: reportingFailures(new OTLPTraceExporter({ url: settings.url, headers: { ...settings.headers } }), lost),
      scheduledDelayMillis: settings.scheduleDelayMs,
    });
};

/**
 * OTEL_SERVICE_NAME names a process that runs one service; in a process running several, each
 * service keeps its own name after it, so their spans stay apart.
 */
export const serviceNameOf = (configured: string | undefined, service: ServiceName, servicesInProcess: number): string =>
  configured === undefined ? service : servicesInProcess === 1 ? configured : `${configured}-${service}`;

/** Logs a failed export once a minute at most: a tracing backend that is away must not flood the logs. */
const exportFailureLog = (logger: Logger) => {
  let lastLoggedAt = -Infinity;
  let failedSince = 0;
  return (error: Error | undefined, spans: number) => {
    failedSince += spans;
    if (Date.now() - lastLoggedAt < EXPORT_FAILURE_LOG_INTERVAL_MS) return;
    lastLoggedAt = Date.now();
    logger.warn({ err: error, droppedSpans: failedSince }, 'traces could not be exported; spans were dropped');
    failedSince = 0;
  };
};

const reportingFailures = (exporter: SpanExporter, report: LostSpans): SpanExporter => ({
  export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
    exporter.export(spans, (result) => {
      if (result.code !== 0) report(result.error, spans.length);
      done(result);
    }),
  shutdown: () => exporter.shutdown(),
  forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
});
