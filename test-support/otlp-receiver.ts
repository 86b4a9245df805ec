import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** A span as an OTLP receiver got it, decoded independently of the SDK that sent it. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for a root span. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: SpanKindName;
  /** The resource's `service.name`. */
  readonly service: string;
  readonly resource: Readonly<Record<string, AttributeValue>>;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly startNanos: bigint;
  readonly endNanos: bigint;
}

export type AttributeValue = string | number | boolean;
export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

const KINDS: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: set as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  /** Every span received so far, in arrival order. */
  spans(): readonly ReceivedSpan[];
  /** Every export request received: its path and content type. */
  requests(): readonly { readonly path: string; readonly contentType: string }[];
  close(): Promise<void>;
}

/**
 * An OTLP/HTTP trace receiver for tests: a plain node:http server that accepts
 * `POST /v1/traces` in protobuf (`application/x-protobuf`, decoded here by field numbers of
 * opentelemetry/proto/trace/v1/trace.proto) or JSON (`application/json`), and keeps the spans.
 * On a free port by default; on `port` (e.g. OTLP's default 4318) when given.
 */
export const startOtlpReceiver = async (port = 0): Promise<OtlpReceiver> => {
  const received: ReceivedSpan[] = [];
  const requests: { path: string; contentType: string }[] = [];
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const contentType = request.headers['content-type'] ?? '';
      requests.push({ path: request.url ?? '', contentType });
      try {
        if (request.method !== 'POST' || request.url !== '/v1/traces') throw new Error(`unexpected ${request.method} ${request.url}`);
        received.push(...decodeOtlpTraces(body, contentType));
        response.writeHead(200, {
          'content-type': contentType.startsWith('application/json') ? 'application/json' : 'application/x-protobuf',
        });
        response.end(contentType.startsWith('application/json') ? '{}' : undefined);
      } catch (error) {
        response.writeHead(400, { 'content-type': 'text/plain' });
        response.end(String(error));
      }
    });
  });
  server.listen(port, '127.0.0.1');
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => [...received],
    requests: () => [...requests],
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
};

/** The spans of one OTLP/HTTP export request, by its content type (JSON, else protobuf). */
export const decodeOtlpTraces = (body: Buffer, contentType: string): ReceivedSpan[] =>
  contentType.startsWith('application/json') ? decodeJson(body.toString('utf8')) : decodeProtobuf(body);

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

// ---- protobuf: ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; } ----

/** The length-delimited fields of a message, each handed to `field` with a reader positioned on its value. */
const fields = (bytes: Uint8Array, field: (number: number, reader: BinaryReader, wireType: WireType) => boolean): void => {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    if (!field(number, reader, wireType)) reader.skip(wireType, number);
  }
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const decodeProtobuf = (body: Uint8Array): ReceivedSpan[] => {
  const spans: ReceivedSpan[] = [];
  fields(body, (number, reader) => {
    if (number !== 1) return false;
    spans.push(...decodeResourceSpans(reader.bytes()));
    return true;
  });
  return spans;
};

// ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
const decodeResourceSpans = (bytes: Uint8Array): ReceivedSpan[] => {
  let resource: Record<string, AttributeValue> = {};
  const scopes: Uint8Array[] = [];
  fields(bytes, (number, reader) => {
    if (number === 1) {
      resource = decodeAttributesOf(reader.bytes(), 1);
      return true;
    }
    if (number === 2) {
      scopes.push(reader.bytes());
      return true;
    }
    return false;
  });
  // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
  return scopes.flatMap((scope) => {
    const spans: ReceivedSpan[] = [];
    fields(scope, (number, reader) => {
      if (number !== 2) return false;
      spans.push(decodeSpan(reader.bytes(), resource));
      return true;
    });
    return spans;
  });
};

/** The `repeated KeyValue` field `fieldNumber` of a message (Resource.attributes = 1, Span.attributes = 9). */
const decodeAttributesOf = (bytes: Uint8Array, fieldNumber: number): Record<string, AttributeValue> => {
  const attributes: Record<string, AttributeValue> = {};
  fields(bytes, (number, reader) => {
    if (number !== fieldNumber) return false;
    const [key, value] = decodeKeyValue(reader.bytes());
    if (value !== undefined) attributes[key] = value;
    return true;
  });
  return attributes;
};

// KeyValue { string key = 1; AnyValue value = 2; }
// AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ... }
const decodeKeyValue = (bytes: Uint8Array): [string, AttributeValue | undefined] => {
  let key = '';
  let value: AttributeValue | undefined;
  fields(bytes, (number, reader) => {
    if (number === 1) key = reader.string();
    else if (number === 2) {
      fields(reader.bytes(), (kind, inner) => {
        if (kind === 1) value = inner.string();
        else if (kind === 2) value = inner.bool();
        else if (kind === 3) value = Number(inner.int64());
        else if (kind === 4) value = inner.double();
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  return [key, value];
};

// Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
//        fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; Status status = 15; }
// Status { string message = 2; StatusCode code = 3; }
const decodeSpan = (bytes: Uint8Array, resource: Record<string, AttributeValue>): ReceivedSpan => {
  const span = { traceId: '', spanId: '', parentSpanId: undefined as string | undefined, name: '', kind: 0, statusCode: 0 };
  let startNanos = 0n;
  let endNanos = 0n;
  fields(bytes, (number, reader) => {
    switch (number) {
      case 1:
        span.traceId = hex(reader.bytes());
        return true;
      case 2:
        span.spanId = hex(reader.bytes());
        return true;
      case 4: {
        const parent = reader.bytes();
        span.parentSpanId = parent.length > 0 ? hex(parent) : undefined;
        return true;
      }
      case 5:
        span.name = reader.string();
        return true;
      case 6:
        span.kind = reader.int32();
        return true;
      case 7:
        startNanos = BigInt(reader.fixed64());
        return true;
      case 8:
        endNanos = BigInt(reader.fixed64());
        return true;
      case 15:
        fields(reader.bytes(), (statusField, inner) => {
          if (statusField !== 3) return false;
          span.statusCode = inner.int32();
          return true;
        });
        return true;
      default:
        return false;
    }
  });
  return {
    ...span,
    kind: KINDS[span.kind] ?? 'unspecified',
    service: String(resource['service.name'] ?? ''),
    resource,
    attributes: decodeAttributesOf(bytes, 9),
    startNanos,
    endNanos,
  };
};

// ---- JSON (OTLP/JSON: ids as hex, enums as numbers, 64-bit integers as strings or numbers) ----

interface JsonKeyValue {
  readonly key: string;
  readonly value: { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number };
}

interface JsonSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: string | number;
  readonly endTimeUnixNano: string | number;
  readonly attributes?: readonly JsonKeyValue[];
  readonly status?: { readonly code?: number };
}

interface JsonRequest {
  readonly resourceSpans?: readonly {
    readonly resource?: { readonly attributes?: readonly JsonKeyValue[] };
    readonly scopeSpans?: readonly { readonly spans?: readonly JsonSpan[] }[];
  }[];
}

const jsonAttributes = (list: readonly JsonKeyValue[] = []): Record<string, AttributeValue> =>
  Object.fromEntries(
    list.flatMap(({ key, value }) => {
      const v = value.stringValue ?? value.boolValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue);
      return v === undefined ? [] : [[key, v]];
    }),
  );

const decodeJson = (text: string): ReceivedSpan[] =>
  ((JSON.parse(text) as JsonRequest).resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = jsonAttributes(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map(
        (span): ReceivedSpan => ({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ? span.parentSpanId : undefined,
          name: span.name,
          kind: KINDS[span.kind] ?? 'unspecified',
          service: String(resource['service.name'] ?? ''),
          resource,
          attributes: jsonAttributes(span.attributes),
          statusCode: span.status?.code ?? 0,
          startNanos: BigInt(span.startTimeUnixNano),
          endNanos: BigInt(span.endTimeUnixNano),
        }),
      ),
    );
  });
