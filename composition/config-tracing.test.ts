import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Env } from './config.js';
import { serviceNameOf } from './observability/tracing.js';

const problemsOf = (env: Env): readonly string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

const ENDPOINT = 'http://collector:4318';

describe('the OpenTelemetry settings (OTEL_*)', () => {
  it('turn tracing off when no endpoint is set, whatever else is', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(
      loadConfig({ OTEL_SERVICE_NAME: 'shop', OTEL_TRACES_SAMPLER: 'always_on', OTEL_EXPORTER_OTLP_HEADERS: 'a=b' }).tracing,
    ).toBeUndefined();
  });

  it('turn it off with OTEL_SDK_DISABLED=true, in any case, even with an endpoint', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'true' }).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'True' }).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'false' }).tracing).toBeDefined();
  });

  it('export to <endpoint>/v1/traces by default: protobuf, parent-based always-on, every 5 s', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }).tracing).toEqual({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      serviceName: undefined,
      resourceAttributes: {},
      sampler: 'parentbased_always_on',
      ratio: 1,
      scheduleDelayMs: 5_000,
    });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com/ingest/' }).tracing?.url).toBe(
      'https://otel.example.com/ingest/v1/traces',
    );
  });

  it('use the traces endpoint as it is, over the base one', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:9999/custom' };
    expect(loadConfig(env).tracing?.url).toBe('http://other:9999/custom');
    expect(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:9999/custom' }).tracing?.url).toBe('http://other:9999/custom');
  });

  it('read headers and resource attributes as key=value lists with percent-encoded values', () => {
    const tracing = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cr%3Dt, x-tenant = blue',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging,team=mesh%20ops',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_SERVICE_NAME: 'shop',
    }).tracing;
    expect(tracing).toMatchObject({
      headers: { 'api-key': 's3cr=t', 'x-tenant': 'blue' },
      resourceAttributes: { 'deployment.environment.name': 'staging', team: 'mesh ops' },
      protocol: 'http/json',
      sampler: 'parentbased_traceidratio',
      ratio: 0.25,
      serviceName: 'shop',
    });
  });

  it('report every bad value at once, secrets masked, gRPC refused', () => {
    expect(
      problemsOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret,broken',
        OTEL_TRACES_SAMPLER: 'jaeger_remote',
        OTEL_TRACES_SAMPLER_ARG: '1.5',
        OTEL_SDK_DISABLED: 'yes',
      }),
    ).toEqual([
      "OTEL_SDK_DISABLED must be true or false; got 'yes'",
      "OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL; got 'collector:4318'",
      "OTEL_EXPORTER_OTLP_HEADERS entries must be key=value (values percent-encoded); got 'broken=***'",
      "OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json (OTLP over gRPC is not supported); got 'grpc'",
      "OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio; got 'jaeger_remote'",
      "OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1; got '1.5'",
    ]);
  });

  it('name spans by the mesh service, or by OTEL_SERVICE_NAME for a process of one service', () => {
    expect(serviceNameOf(undefined, 'api-gateway', 4)).toBe('api-gateway');
    expect(serviceNameOf('shop', 'auth', 1)).toBe('shop');
    expect(serviceNameOf('shop', 'auth', 4)).toBe('shop-auth');
  });
});
