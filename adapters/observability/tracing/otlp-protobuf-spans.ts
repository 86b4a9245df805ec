import type { Attributes, HrTime } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/**
 * OTLP protobuf encoding of finished spans, one span at a time as it ends (docs/adr/0065): an
 * `ExportTraceServiceRequest` of opentelemetry/proto/collector/trace/v1, field for field as the
 * SDK's `ProtobufTraceSerializer` writes it, so the bytes are the same. Ids are written from their
 * hex without intermediate arrays, and a batch keeps bytes, not span objects.
 */

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

/** Span flags: the parent's remoteness is known (bit 8), and it is remote (bit 9); bits 0-7 are the trace flags. */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** A protobuf writer over one growing byte array; a length-delimited field reserves one byte for its length and shifts when it needs more. */
class ProtobufWriter {
  private bytes: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialSize: number) {
    this.bytes = new Uint8Array(Math.max(initialSize, 64));
    this.view = new DataView(this.bytes.buffer);
  }

  finish(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }

  private ensure(more: number): void {
    if (this.pos + more <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + more) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  tag(field: number, wireType: number): void {
    this.varint32((field << 3) | wireType);
  }

  /** An unsigned value below 2^32. */
  varint32(value: number): void {
    this.ensure(5);
    const bytes = this.bytes;
    let at = this.pos;
    let v = value >>> 0;
    while (v > 0x7f) {
      bytes[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    bytes[at++] = v;
    this.pos = at;
  }

  /** An integer as int64 (a negative one in ten bytes, two's complement), as the SDK writes it. */
  varint64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) {
      this.varint32(value);
      return;
    }
    const magnitude = Math.abs(value);
    let low = magnitude >>> 0;
    let high = (magnitude / 0x100000000) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    this.ensure(10);
    while (high > 0 || low > 0x7f) {
      this.bytes[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.bytes[this.pos++] = low & 0x7f;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /** Nanoseconds since the epoch of `[seconds, nanoseconds]`, exactly, without BigInt. */
  hrTime(time: HrTime): void {
    const [seconds, nanos] = time;
    const lowSeconds = (seconds & 0xffff) * 1e9;
    const highSeconds = ((seconds / 0x10000) >>> 0) * 1e9;
    const low = (lowSeconds >>> 0) + (((highSeconds & 0xffff) * 0x10000) >>> 0) + nanos;
    const high = Math.floor(lowSeconds / 0x100000000) + ((highSeconds / 0x10000) >>> 0) + Math.floor(low / 0x100000000);
    this.ensure(8);
    this.view.setUint32(this.pos, low >>> 0, true);
    this.view.setUint32(this.pos + 4, high >>> 0, true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  string(text: string): void {
    const start = this.pos;
    this.varint32(text.length);
    this.ensure(text.length);
    if (this.ascii(text)) return;
    this.pos = start;
    this.raw(Buffer.from(text, 'utf8'), true);
  }

  /**
   * A KeyValue of two ASCII strings (most attributes) with its length, written in one pass; false,
   * writing nothing, when either is not ASCII.
   */
  asciiKeyValue(key: string, value: string): boolean {
    // KeyValue { key = 1 (string); value = 2 (AnyValue { string_value = 1 }) }
    const anyValue = 1 + varintSize(value.length) + value.length;
    const keyValue = 1 + varintSize(key.length) + key.length + 1 + varintSize(anyValue) + anyValue;
    const start = this.pos;
    this.varint32(keyValue);
    this.ensure(keyValue);
    this.tag(1, LEN);
    this.varint32(key.length);
    if (!this.ascii(key)) {
      this.pos = start;
      return false;
    }
    this.tag(2, LEN);
    this.varint32(anyValue);
    this.tag(1, LEN);
    this.varint32(value.length);
    if (!this.ascii(value)) {
      this.pos = start;
      return false;
    }
    return true;
  }

  /** Copies `text` if it is all ASCII (room ensured by the caller), else writes nothing and answers false. */
  private ascii(text: string): boolean {
    const bytes = this.bytes;
    const at = this.pos;
    const length = text.length;
    for (let i = 0; i < length; i += 1) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) return false;
      bytes[at + i] = code;
    }
    this.pos = at + length;
    return true;
  }

  /** The bytes of a hex id (trace, span), length-prefixed. */
  hexId(hex: string): void {
    const length = hex.length >>> 1;
    this.varint32(length);
    this.ensure(length);
    const bytes = this.bytes;
    const at = this.pos;
    for (let i = 0; i < length; i += 1) bytes[at + i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
    this.pos = at + length;
  }

  /** `bytes` as they are, length-prefixed when `prefixed`. */
  raw(bytes: Uint8Array, prefixed: boolean): void {
    if (prefixed) this.varint32(bytes.length);
    this.ensure(bytes.length);
    this.bytes.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Starts a length-delimited value; `endLength` writes its length. */
  startLength(): number {
    this.ensure(1);
    this.pos += 1;
    return this.pos;
  }

  endLength(start: number): void {
    const length = this.pos - start;
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.bytes.copyWithin(start + size - 1, start, this.pos);
      this.pos += size - 1;
    }
    let at = start - 1;
    let v = length;
    while (v > 0x7f) {
      this.bytes[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[at] = v;
  }
}

const nibble = (code: number): number => (code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57);

const varintSize = (value: number): number => (value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5);

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

const writeAttributes = (writer: ProtobufWriter, attributes: Attributes | undefined, field: number): void => {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const value = attributes[key];
    writer.tag(field, LEN);
    if (typeof value === 'string' && writer.asciiKeyValue(key, value)) continue;
    const start = writer.startLength();
    writeKeyValue(writer, key, value);
    writer.endLength(start);
  }
};

const spanFlags = (traceFlags: number, remote: boolean | undefined): number =>
  (traceFlags & 0xff) | HAS_IS_REMOTE | (remote ? IS_REMOTE : 0);

// Span { trace_id = 1; span_id = 2; trace_state = 3; parent_span_id = 4; name = 5; kind = 6; start_time_unix_nano = 7;
//        end_time_unix_nano = 8; attributes = 9; dropped_attributes_count = 10; events = 11; dropped_events_count = 12;
//        links = 13; dropped_links_count = 14; status = 15; flags = 16; }
const writeSpan = (writer: ProtobufWriter, span: ReadableSpan): void => {
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
  // Event { time_unix_nano = 1; name = 2; attributes = 3; dropped_attributes_count = 4; }
  for (const event of span.events) {
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
  writer.tag(12, VARINT);
  writer.varint32(span.droppedEventsCount);
  // Link { trace_id = 1; span_id = 2; trace_state = 3; attributes = 4; dropped_attributes_count = 5; flags = 6; }
  for (const link of span.links) {
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
  writer.tag(14, VARINT);
  writer.varint32(span.droppedLinksCount);
  // Status { message = 2; code = 3; }
  writer.tag(15, LEN);
  const status = writer.startLength();
  if (span.status.message) {
    writer.tag(2, LEN);
    writer.string(span.status.message);
  }
  writer.tag(3, VARINT);
  writer.varint32(span.status.code);
  writer.endLength(status);
  writer.tag(16, FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
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
