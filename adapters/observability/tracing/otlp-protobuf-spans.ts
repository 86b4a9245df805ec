import type { Attributes, Link, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { MeshSpan, ORIGIN_NANOS, ORIGIN_SECONDS } from './mesh-tracer.js';
import { FIXED32, FIXED64, LEN, ProtobufWriter, VARINT } from './protobuf-writer.js';

/**
 * OTLP protobuf encoding of finished spans, one span at a time as it ends (docs/adr/0065): an
 * `ExportTraceServiceRequest` of opentelemetry/proto/collector/trace/v1, field for field as the
 * SDK's `ProtobufTraceSerializer` writes it, so the bytes are the same. Ids are written from their
 * hex without intermediate arrays, and a batch keeps bytes, not span objects.
 */

/** Span flags: the parent's remoteness is known (bit 8), and it is remote (bit 9); bits 0-7 are the trace flags. */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

// AnyValue { string_value = 1; bool_value = 2; int_value = 3; double_value = 4; array_value = 5; kvlist_value = 6; bytes_value = 7; }
const writeAnyValue = (writer: ProtobufWriter, value: unknown): void => {
  switch (typeof value) {
    case 'string':
      writer.tag(1, LEN);
      writer.string(value);
      return;
    case 'boolean':
      writer.tag(2, VARINT);
      writer.varint32(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) {
        writer.tag(3, VARINT);
        writer.varint64(value);
      } else {
        writer.tag(4, FIXED64);
        writer.double(value);
      }
      return;
    default:
      break;
  }
  if (value instanceof Uint8Array) {
    writer.tag(7, LEN);
    writer.raw(value, true);
  } else if (Array.isArray(value)) {
    writer.tag(5, LEN);
    const array = writer.startLength();
    for (const item of value as unknown[]) {
      writer.tag(1, LEN);
      const start = writer.startLength();
      writeAnyValue(writer, item);
      writer.endLength(start);
    }
    writer.endLength(array);
  } else if (typeof value === 'object' && value !== null) {
    writer.tag(6, LEN);
    const list = writer.startLength();
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      writer.tag(1, LEN);
      const start = writer.startLength();
      writeKeyValue(writer, key, (value as Record<string, unknown>)[key]);
      writer.endLength(start);
    }
    writer.endLength(list);
  }
};

// KeyValue { string key = 1; AnyValue value = 2; }
const writeKeyValue = (writer: ProtobufWriter, key: string, value: unknown): void => {
  writer.tag(1, LEN);
  writer.string(key);
  writer.tag(2, LEN);
  const start = writer.startLength();
  writeAnyValue(writer, value);
  writer.endLength(start);
};

/**
 * Encoded `KeyValue`s (with their length) of attribute pairs seen before, by key and value: most of
 * a span's attributes repeat from span to span (`rpc.service`, `server.address`, a statement's
 * text), so they are copied, not encoded again. Bounded: a key keeps its first values only (one
 * whose values are all different, an id, stops being cached), and the bytes kept overall are capped.
 */
const encodedPairs = new Map<string, Map<unknown, Uint8Array>>();
const VALUES_PER_KEY = 64;
const KEYS = 256;
const CACHE_BYTES = 1 << 20;
let cachedBytes = 0;

const writeAttributes = (writer: ProtobufWriter, attributes: Attributes | undefined, field: number): void => {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const value = attributes[key];
    // The SDK keeps no attribute without a value; a mesh span is given its attributes as they are.
    if (value === undefined || value === null) continue;
    writer.tag(field, LEN);
    const cacheable = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    let values = cacheable ? encodedPairs.get(key) : undefined;
    const known = values?.get(value);
    if (known !== undefined) {
      writer.raw(known, false);
      continue;
    }
    const start = writer.pos;
    if (typeof value !== 'string' || !writer.asciiKeyValue(key, value)) {
      const length = writer.startLength();
      writeKeyValue(writer, key, value);
      writer.endLength(length);
    }
    if (cacheable && cachedBytes < CACHE_BYTES && (values ? values.size < VALUES_PER_KEY : encodedPairs.size < KEYS)) {
      const encoded = writer.copySince(start);
      if (values === undefined) encodedPairs.set(key, (values = new Map()));
      values.set(value, encoded);
      cachedBytes += encoded.length;
    }
  }
};

const spanFlags = (traceFlags: number, remote: boolean | undefined): number =>
  (traceFlags & 0xff) | HAS_IS_REMOTE | (remote ? IS_REMOTE : 0);

const writeEvents = (writer: ProtobufWriter, events: readonly TimedEvent[]): void => {
  // Event { time_unix_nano = 1; name = 2; attributes = 3; dropped_attributes_count = 4; }
  for (const event of events) {
    writer.tag(11, LEN);
    const start = writer.startLength();
    writer.tag(1, FIXED64);
    writer.hrTime(event.time);
    writer.tag(2, LEN);
    writer.string(event.name);
    writeAttributes(writer, event.attributes, 3);
    writer.tag(4, VARINT);
    writer.varint32(event.droppedAttributesCount ?? 0);
    writer.endLength(start);
  }
};

const writeLinks = (writer: ProtobufWriter, links: readonly Link[]): void => {
  // Link { trace_id = 1; span_id = 2; trace_state = 3; attributes = 4; dropped_attributes_count = 5; flags = 6; }
  for (const link of links) {
    writer.tag(13, LEN);
    const start = writer.startLength();
    writer.tag(1, LEN);
    writer.hexId(link.context.traceId);
    writer.tag(2, LEN);
    writer.hexId(link.context.spanId);
    const linkState = link.context.traceState?.serialize();
    if (linkState) {
      writer.tag(3, LEN);
      writer.string(linkState);
    }
    writeAttributes(writer, link.attributes, 4);
    writer.tag(5, VARINT);
    writer.varint32(link.droppedAttributesCount ?? 0);
    writer.tag(6, FIXED32);
    writer.fixed32(spanFlags(link.context.traceFlags, link.context.isRemote));
    writer.endLength(start);
  }
};

const writeStatus = (writer: ProtobufWriter, status: SpanStatus): void => {
  // Status { message = 2; code = 3; }
  writer.tag(15, LEN);
  const start = writer.startLength();
  if (status.message) {
    writer.tag(2, LEN);
    writer.string(status.message);
  }
  writer.tag(3, VARINT);
  writer.varint32(status.code);
  writer.endLength(start);
};

// Span { trace_id = 1; span_id = 2; trace_state = 3; parent_span_id = 4; name = 5; kind = 6; start_time_unix_nano = 7;
//        end_time_unix_nano = 8; attributes = 9; dropped_attributes_count = 10; events = 11; dropped_events_count = 12;
//        links = 13; dropped_links_count = 14; status = 15; flags = 16; }
const writeSpan = (writer: ProtobufWriter, span: ReadableSpan): void => {
  if (span instanceof MeshSpan) {
    writeMeshSpan(writer, span);
    return;
  }
  const context = span.spanContext();
  writer.tag(1, LEN);
  writer.hexId(context.traceId);
  writer.tag(2, LEN);
  writer.hexId(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.tag(3, LEN);
    writer.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writer.tag(4, LEN);
    writer.hexId(parent.spanId);
  }
  writer.tag(5, LEN);
  writer.string(span.name);
  // The API's kinds start at INTERNAL = 0, the protocol's at UNSPECIFIED = 0.
  if (span.kind != null) {
    writer.tag(6, VARINT);
    writer.varint32(span.kind + 1);
  }
  writer.tag(7, FIXED64);
  writer.hrTime(span.startTime);
  writer.tag(8, FIXED64);
  writer.hrTime(span.endTime);
  writeAttributes(writer, span.attributes, 9);
  writer.tag(10, VARINT);
  writer.varint32(span.droppedAttributesCount);
  writeEvents(writer, span.events);
  writer.tag(12, VARINT);
  writer.varint32(span.droppedEventsCount);
  writeLinks(writer, span.links);
  writer.tag(14, VARINT);
  writer.varint32(span.droppedLinksCount);
  writeStatus(writer, span.status);
  writer.tag(16, FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
};

/**
 * `writeSpan` of the mesh's own span (docs/adr/0069), the same bytes read from its fields: times
 * from its `performance.now()` readings, the parent from its trace context, no intermediate objects.
 */
const writeMeshSpan = (writer: ProtobufWriter, span: MeshSpan): void => {
  const trace = span.trace;
  writer.tag(1, LEN);
  writer.hexId(trace.traceId);
  writer.tag(2, LEN);
  writer.hexId(trace.spanId);
  const traceState = span.traceState?.serialize();
  if (traceState) {
    writer.tag(3, LEN);
    writer.string(traceState);
  }
  const parent = span.parent;
  if (parent) {
    writer.tag(4, LEN);
    writer.hexId(parent.spanId);
  }
  writer.tag(5, LEN);
  writer.string(span.name);
  writer.tag(6, VARINT);
  writer.varint32(span.kind + 1);
  writer.tag(7, FIXED64);
  writer.timeAfter(ORIGIN_SECONDS, ORIGIN_NANOS, span.startedAt);
  writer.tag(8, FIXED64);
  writer.timeAfter(ORIGIN_SECONDS, ORIGIN_NANOS, span.ended ? span.endedAt : span.startedAt);
  writeAttributes(writer, span.attributes, 9);
  writer.tag(10, VARINT);
  writer.varint32(span.droppedAttributesCount);
  if (span.events.length > 0) writeEvents(writer, span.events);
  writer.tag(12, VARINT);
  writer.varint32(span.droppedEventsCount);
  if (span.links.length > 0) writeLinks(writer, span.links);
  writer.tag(14, VARINT);
  writer.varint32(span.droppedLinksCount);
  writeStatus(writer, span.status);
  writer.tag(16, FIXED32);
  writer.fixed32(spanFlags(trace.flags === '01' ? 1 : 0, parent ? span.remote : undefined));
};

// Resource { attributes = 1; dropped_attributes_count = 2; }
const writeResource = (writer: ProtobufWriter, resource: Resource): void => {
  writeAttributes(writer, resource.attributes, 1);
  writer.tag(2, VARINT);
  writer.varint32(0);
};

/** What an instrumentation scope may carry beyond its name (the SDK's type names the first three). */
type Scope = InstrumentationScope & { readonly attributes?: Attributes; readonly droppedAttributesCount?: number };

// InstrumentationScope { name = 1; version = 2; attributes = 3; dropped_attributes_count = 4; }
const writeScope = (writer: ProtobufWriter, scope: Scope): void => {
  writer.tag(1, LEN);
  writer.string(scope.name);
  if (scope.version) {
    writer.tag(2, LEN);
    writer.string(scope.version);
  }
  writeAttributes(writer, scope.attributes, 3);
  if (scope.droppedAttributesCount) {
    writer.tag(4, VARINT);
    writer.varint32(scope.droppedAttributesCount);
  }
};

/** The spans of one resource and scope, each already a `ScopeSpans.spans` field. */
interface Group {
  readonly resource: Resource;
  readonly scope: Scope;
  readonly spans: ProtobufWriter;
}

const SPANS_INITIAL_BYTES = 16 * 1024;

/**
 * Finished spans encoded as they are added, then one `ExportTraceServiceRequest` of them,
 * grouped by resource and instrumentation scope in the order each first appeared (as the SDK groups them).
 */
export class OtlpProtobufSpans {
  private readonly groups: Group[] = [];
  /** Spans added so far. */
  count = 0;

  /** `expectedBytes`: about how many bytes the spans will take (the last batch's), so the buffer seldom grows. */
  constructor(private readonly expectedBytes = SPANS_INITIAL_BYTES) {}

  /** Bytes of encoded spans so far. */
  get bytes(): number {
    return this.groups.reduce((bytes, group) => bytes + group.spans.pos, 0);
  }

  add(span: ReadableSpan): void {
    const { spans } = this.groupOf(span.resource, span.instrumentationScope);
    spans.tag(2, LEN);
    const start = spans.startLength();
    writeSpan(spans, span);
    spans.endLength(start);
    this.count += 1;
  }

  /** The request: ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }. */
  request(): Uint8Array {
    const writer = new ProtobufWriter(this.bytes + 1024);
    const resources = [...new Set(this.groups.map((group) => group.resource))];
    for (const resource of resources) {
      // ResourceSpans { resource = 1; scope_spans = 2; schema_url = 3; }
      writer.tag(1, LEN);
      const resourceSpans = writer.startLength();
      writer.tag(1, LEN);
      const resourceStart = writer.startLength();
      writeResource(writer, resource);
      writer.endLength(resourceStart);
      for (const group of this.groups) {
        if (group.resource !== resource) continue;
        // ScopeSpans { scope = 1; spans = 2; schema_url = 3; }
        writer.tag(2, LEN);
        const scopeSpans = writer.startLength();
        writer.tag(1, LEN);
        const scopeStart = writer.startLength();
        writeScope(writer, group.scope);
        writer.endLength(scopeStart);
        writer.raw(group.spans.finish(), false);
        if (group.scope.schemaUrl) {
          writer.tag(3, LEN);
          writer.string(group.scope.schemaUrl);
        }
        writer.endLength(scopeSpans);
      }
      if (resource.schemaUrl) {
        writer.tag(3, LEN);
        writer.string(resource.schemaUrl);
      }
      writer.endLength(resourceSpans);
    }
    return writer.finish();
  }

  private groupOf(resource: Resource, scope: Scope): Group {
    // A provider has one resource and, here, one scope: the last group is nearly always the one.
    const last = this.groups.at(-1);
    if (last?.resource === resource && last.scope === scope) return last;
    const known = this.groups.find((group) => group.resource === resource && group.scope === scope);
    if (known) return known;
    const group = { resource, scope, spans: new ProtobufWriter(this.groups.length === 0 ? this.expectedBytes : SPANS_INITIAL_BYTES) };
    this.groups.push(group);
    return group;
  }
}
