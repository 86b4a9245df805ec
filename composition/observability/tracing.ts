import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Tracer } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Sampler, SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from '../../adapters/observability/logger.js';
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
 * Starts one OpenTelemetry tracer provider per service of this process, each with its resource
 * (`service.name`), the configured sampler and a batch processor exporting over OTLP/HTTP
 * (protobuf or JSON), off the request path. The SDK is loaded here only, when traces are exported;
 * nothing is registered globally (no global provider, no context manager, no instrumentation).
 */
export const startTracing = async (
  settings: TracingSettings,
  services: readonly ServiceName[],
  logger: Logger,
): Promise<ProcessTracing> => {
  const [sdk, resources, core, exporters] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
    settings.protocol === 'http/json'
      ? import('@opentelemetry/exporter-trace-otlp-http')
      : import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);
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
      const exporter = new exporters.OTLPTraceExporter({ url: settings.url, headers: { ...settings.headers } });
      const provider = new sdk.TracerProvider({
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
        sampler: samplerOf(settings.sampler),
        spanProcessors: [
          new sdk.BatchSpanProcessor({ exporter: reportingFailures(exporter, failures), scheduledDelayMillis: settings.scheduleDelayMs }),
        ],
      });
      const tracer = provider.getTracer('meshwork');
      return [service, { provider, tracer: settings.sampler.startsWith('parentbased_') ? followsParentSampling(tracer) : tracer }] as const;
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
    flush: () => Promise.allSettled([...providers.values()].map(({ provider }) => provider.forceFlush())).then(() => undefined),
    shutdown: () =>
      (stopping ??= Promise.allSettled([...providers.values()].map(({ provider }) => provider.shutdown())).then(() => undefined)),
  };
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

const reportingFailures = (exporter: SpanExporter, report: (error: Error | undefined, spans: number) => void): SpanExporter => ({
  export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
    exporter.export(spans, (result) => {
      if (result.code !== 0) report(result.error, spans.length);
      done(result);
    }),
  shutdown: () => exporter.shutdown(),
  forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
});
