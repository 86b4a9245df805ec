import type { Parsed } from '../settings/setting.js';

/**
 * Reading the standard OpenTelemetry variables (OTEL_*, as the OpenTelemetry specification
 * defines them) into what the exporter needs (docs/adr/0048). The catalogue holds one entry per
 * variable; `tracingOf` decides from them whether traces are exported at all.
 */

export const OtlpProtocols = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OtlpProtocols)[number];

export const Samplers = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof Samplers)[number];

/** The OTEL_* values as the catalogue reads them. */
export interface OtelVariables {
  readonly disabled: boolean;
  readonly endpoint: string | undefined;
  readonly tracesEndpoint: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocol: OtlpProtocol;
  readonly serviceName: string | undefined;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: SamplerName;
  readonly samplerArg: number | undefined;
  readonly scheduleDelayMs: number;
}

/** Traces exported over OTLP/HTTP: where, how, and how spans are named and sampled. */
export interface TracingSettings {
  /** Where spans are POSTed: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
  readonly url: string;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  /** OTEL_SERVICE_NAME; absent: each service is named as it is in the mesh (`api-gateway`, `auth`, ...). */
  readonly serviceName: string | undefined;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: SamplerName;
  /** The ratio of the `traceidratio` samplers, 0 to 1. */
  readonly ratio: number;
  /** How long finished spans wait to be exported in a batch (OTEL_BSP_SCHEDULE_DELAY). */
  readonly scheduleDelayMs: number;
}

/** Undefined, the zero-cost default, unless an endpoint is set and OTEL_SDK_DISABLED is not `true`. */
export const tracingOf = (otel: OtelVariables): TracingSettings | undefined => {
  if (otel.disabled) return undefined;
  const url = otel.tracesEndpoint ?? (otel.endpoint === undefined ? undefined : tracesUrlUnder(otel.endpoint));
  if (url === undefined) return undefined;
  return {
    url,
    protocol: otel.protocol,
    headers: otel.headers,
    serviceName: otel.serviceName,
    resourceAttributes: otel.resourceAttributes,
    sampler: otel.sampler,
    ratio: otel.samplerArg ?? 1,
    scheduleDelayMs: otel.scheduleDelayMs,
  };
};

/** The specification's rule for the base endpoint: the signal's path is appended to whatever path it has. */
const tracesUrlUnder = (base: string): string => `${base.replace(/\/+$/, '')}/v1/traces`;

/** `http://` or `https://` with a host. */
export const parseOtlpUrl = (value: string): Parsed<string> => {
  try {
    const url = new URL(value);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '') return { value };
  } catch {
    // reported below
  }
  return { problem: `must be an http:// or https:// URL; got '${value}'` };
};

/** `true` or `false`, in any case, as the specification writes booleans. */
export const parseOtelBoolean = (value: string): Parsed<boolean> => {
  const lower = value.toLowerCase();
  return lower === 'true' ? { value: true } : lower === 'false' ? { value: false } : { problem: `must be true or false; got '${value}'` };
};

/**
 * `key1=value1,key2=value2` with percent-encoded values (W3C Baggage without properties), the
 * format of OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES.
 */
export const parseKeyValueList = (value: string, shown: (text: string) => string = (text) => text): Parsed<Record<string, string>> => {
  const entries: Record<string, string> = {};
  const bad: string[] = [];
  for (const item of value.split(',')) {
    if (item.trim() === '') continue;
    const equals = item.indexOf('=');
    const key = equals < 0 ? '' : item.slice(0, equals).trim();
    let decoded: string | undefined;
    try {
      decoded = equals < 0 ? undefined : decodeURIComponent(item.slice(equals + 1).trim());
    } catch {
      decoded = undefined;
    }
    if (key === '' || decoded === undefined) bad.push(shown(item.trim()));
    else entries[key] = decoded;
  }
  return bad.length > 0 ? { problem: `entries must be key=value (values percent-encoded); got '${bad.join("', '")}'` } : { value: entries };
};

/** OTEL_EXPORTER_OTLP_PROTOCOL: the two HTTP encodings; gRPC is not offered (docs/adr/0048). */
export const parseOtlpProtocol = (value: string): Parsed<OtlpProtocol> =>
  (OtlpProtocols as readonly string[]).includes(value)
    ? { value: value as OtlpProtocol }
    : { problem: `must be one of ${OtlpProtocols.join(', ')} (OTLP over gRPC is not supported); got '${value}'` };

/** A sampling ratio from 0 to 1. */
export const parseRatio = (value: string): Parsed<number> => {
  const ratio = Number(value);
  return /^\d*\.?\d+$/.test(value) && ratio >= 0 && ratio <= 1
    ? { value: ratio }
    : { problem: `must be a number from 0 to 1; got '${value}'` };
};
