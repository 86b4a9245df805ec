import {
  context as otelContext,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace as otelTrace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type TraceState,
  type Tracer,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Sampler, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { newSpanId, newTraceId, type TraceContext } from '../trace-context.js';

/**
 * The mesh's own recording spans behind the OpenTelemetry `Tracer` and `Span` API (docs/adr/0069):
 * what the SDK's tracer does for a span, without what the mesh never uses (a context per span,
 * attribute sanitizing copies, span limits read per span, the provider's processor fan-out). A
 * finished span is a `ReadableSpan`, handed to the SDK's processors and exporters as theirs are.
 */

/** The SDK's `SamplingDecision`: NOT_RECORD, RECORD, RECORD_AND_SAMPLED. */
const NOT_RECORD = 0;
const RECORD_AND_SAMPLED = 2;

/** Attributes per span, events per span, links per span: the specification's default limits. */
const ATTRIBUTE_COUNT_LIMIT = 128;
const EVENT_COUNT_LIMIT = 128;
const LINK_COUNT_LIMIT = 128;

const SAMPLED_FLAGS = '01';
const UNSAMPLED_FLAGS = '00';
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NONE: never[] = [];

/** `performance.timeOrigin` as [seconds, nanoseconds], once: every span time is it plus a `performance.now()` reading. */
export const ORIGIN_SECONDS = Math.trunc(performance.timeOrigin / 1000);
export const ORIGIN_NANOS = Math.round((performance.timeOrigin % 1000) * 1e6);

/** The wall-clock time of the `performance.now()` reading `ms`, as the SDK computes it. */
const hrTimeOf = (ms: number): HrTime => {
  const whole = Math.trunc(ms / 1000);
  let nanos = ORIGIN_NANOS + Math.round((ms - whole * 1000) * 1e6);
  let seconds = ORIGIN_SECONDS + whole;
  if (nanos >= 1e9) {
    nanos -= 1e9;
    seconds += 1;
  } else if (nanos < 0) {
    nanos += 1e9;
    seconds -= 1;
  }
  return [seconds, nanos];
};

/** A time given to the API (epoch milliseconds, a `performance.now()` reading, a Date, an HrTime) as a `performance.now()` reading. */
const performanceMsOf = (time: TimeInput | undefined): number => {
  if (time === undefined) return performance.now();
  if (typeof time === 'number') return time <= performance.now() ? time : time - performance.timeOrigin;
  if (time instanceof Date) return time.getTime() - performance.timeOrigin;
  return time[0] * 1000 + time[1] / 1e6 - performance.timeOrigin;
};

const isTime = (value: unknown): value is TimeInput =>
  typeof value === 'number' || value instanceof Date || (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number');

const countOf = (attributes: Attributes): number => {
  let count = 0;
  for (const key in attributes) if (Object.hasOwn(attributes, key)) count += 1;
  return count;
};

const isValidValue = (value: unknown): value is AttributeValue => value !== undefined && value !== null;

export interface MeshTracerOptions {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly sampler: Sampler;
  /** Receives each span that ends (only `onEnd` is called: the processors used here do nothing when a span starts). */
  readonly processor: Pick<SpanProcessor, 'onEnd'>;
  /**
   * The sampler is one of the `parentbased_*` ones with their default delegates: a span with a
   * parent follows its decision. Otherwise the sampler must not read the parent from the context
   * (the always_on, always_off and traceidratio ones do not): it is given the root context.
   */
  readonly followsParent: boolean;
}

/** A tracer making `MeshSpan`s for one service (resource) and the mesh's instrumentation scope. */
export class MeshTracer implements Tracer {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly processor: Pick<SpanProcessor, 'onEnd'>;
  private readonly sampler: Sampler;
  private readonly followsParent: boolean;

  constructor(options: MeshTracerOptions) {
    this.resource = options.resource;
    this.scope = options.scope;
    this.sampler = options.sampler;
    this.processor = options.processor;
    this.followsParent = options.followsParent;
  }

  /**
   * The mesh's way in (`spans.ts`): a span under `parent` (a new trace without one). `attributes`
   * becomes the span's own: the caller passes a new object and does not touch it afterwards.
   */
  start(
    name: string,
    kind: SpanKind,
    parent: TraceContext | undefined,
    attributes: Attributes,
    remote: boolean,
    links?: Link[],
    traceState?: TraceState,
  ): Span {
    const traceId = parent?.traceId ?? newTraceId();
    const spanId = newSpanId();
    let sampled: boolean;
    if (parent !== undefined && this.followsParent) {
      sampled = parent.flags === SAMPLED_FLAGS;
    } else {
      // Only the parent-based samplers read the context, and they are answered above when there is a
      // parent (`followsParent`): the others decide by trace id or not at all, so no context is built.
      const result = this.sampler.shouldSample(ROOT_CONTEXT, traceId, name, kind, attributes, links ?? NONE);
      if (result.decision === NOT_RECORD) {
        return otelTrace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.NONE });
      }
      if (result.attributes) Object.assign(attributes, result.attributes);
      sampled = result.decision === RECORD_AND_SAMPLED;
      traceState = result.traceState ?? traceState;
    }
    if (!sampled && parent !== undefined && this.followsParent) {
      return otelTrace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.NONE });
    }
    const trace = { traceId, spanId, flags: sampled ? SAMPLED_FLAGS : UNSAMPLED_FLAGS };
    const span = new MeshSpan(this, name, kind, trace, parent, remote, attributes, traceState);
    if (links) span.addLinks(links);
    return span;
  }

  startSpan(name: string, options: SpanOptions = {}, context?: Context): Span {
    const parentContext = options.root || context === undefined ? undefined : otelTrace.getSpanContext(context);
    const parent =
      parentContext && otelTrace.isSpanContextValid(parentContext)
        ? {
            traceId: parentContext.traceId,
            spanId: parentContext.spanId,
            flags: parentContext.traceFlags & TraceFlags.SAMPLED ? '01' : '00',
          }
        : undefined;
    const attributes: Attributes = {};
    let count = 0;
    let dropped = 0;
    for (const key in options.attributes) {
      const value = options.attributes[key];
      if (!Object.hasOwn(options.attributes, key) || !isValidValue(value)) continue;
      if (count < ATTRIBUTE_COUNT_LIMIT) {
        attributes[key] = value;
        count += 1;
      } else dropped += 1;
    }
    const span = this.start(
      name,
      options.kind ?? SpanKind.INTERNAL,
      parent,
      attributes,
      parentContext?.isRemote === true,
      options.links,
      parent && parentContext?.traceState,
    );
    if (span instanceof MeshSpan) {
      if (options.startTime !== undefined) span.startedAt = performanceMsOf(options.startTime);
      span.droppedAttributesCount = dropped;
    }
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args.at(-1) as (span: Span) => ReturnType<F>;
    const options = (args.length > 1 ? args[0] : undefined) as SpanOptions | undefined;
    const parent = (args.length > 2 ? args[1] : undefined) as Context | undefined;
    const active = parent ?? otelContext.active();
    const span = this.startSpan(name, options, active);
    return otelContext.with(otelTrace.setSpan(active, span), fn, undefined, span);
  }
}

/** A recording span: its fields are what an exporter reads of a `ReadableSpan`. */
export class MeshSpan implements Span, ReadableSpan {
  /** Its ids and flags as the mesh's trace scope and `traceparent` carry them. */
  readonly trace: TraceContext;
  readonly kind: SpanKind;
  readonly attributes: Attributes;
  name: string;
  status: SpanStatus = UNSET;
  events: TimedEvent[] = NONE;
  links: Link[] = NONE;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  /** `performance.now()` when it started and ended (NaN until it ends). */
  startedAt = performance.now();
  endedAt = Number.NaN;
  private readonly tracer: MeshTracer;
  readonly traceState: TraceState | undefined;
  /** Made when first asked for: the export reads `trace` and `traceState` instead. */
  private context: SpanContext | undefined;
  /** Attributes held, counted when the first one is added after the span started (-1 until then). */
  private attributeCount = -1;
  /** The parent's ids (undefined for a root span) and whether it came from another process. */
  readonly parent: TraceContext | undefined;
  readonly remote: boolean;

  constructor(
    tracer: MeshTracer,
    name: string,
    kind: SpanKind,
    trace: TraceContext,
    parent: TraceContext | undefined,
    remote: boolean,
    attributes: Attributes,
    traceState: TraceState | undefined,
  ) {
    this.tracer = tracer;
    this.name = name;
    this.kind = kind;
    this.trace = trace;
    this.parent = parent;
    this.remote = remote;
    this.attributes = attributes;
    this.traceState = traceState;
  }

  spanContext(): SpanContext {
    if (this.context === undefined) {
      const trace = this.trace;
      this.context = { traceId: trace.traceId, spanId: trace.spanId, traceFlags: trace.flags === SAMPLED_FLAGS ? 1 : 0 };
      if (this.traceState) this.context.traceState = this.traceState;
    }
    return this.context;
  }

  get parentSpanContext(): SpanContext | undefined {
    const parent = this.parent;
    return parent
      ? { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.flags === SAMPLED_FLAGS ? 1 : 0, isRemote: this.remote }
      : undefined;
  }

  get resource(): Resource {
    return this.tracer.resource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.tracer.scope;
  }

  get startTime(): HrTime {
    return hrTimeOf(this.startedAt);
  }

  get endTime(): HrTime {
    return hrTimeOf(Number.isNaN(this.endedAt) ? this.startedAt : this.endedAt);
  }

  get duration(): HrTime {
    const ms = Number.isNaN(this.endedAt) ? 0 : this.endedAt - this.startedAt;
    return [Math.trunc(ms / 1000), Math.round((ms % 1000) * 1e6)];
  }

  get ended(): boolean {
    return !Number.isNaN(this.endedAt);
  }

  isRecording(): boolean {
    return Number.isNaN(this.endedAt);
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.isRecording() || !isValidValue(value) || key.length === 0) return this;
    if (!Object.hasOwn(this.attributes, key)) {
      if (this.attributeCount < 0) this.attributeCount = countOf(this.attributes);
      if (this.attributeCount >= ATTRIBUTE_COUNT_LIMIT) {
        this.droppedAttributesCount += 1;
        return this;
      }
      this.attributeCount += 1;
    }
    this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key]!);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (!this.isRecording()) return this;
    const [attributes, at] = isTime(attributesOrTime) ? [undefined, attributesOrTime] : [attributesOrTime, time];
    if (this.events === NONE) this.events = [];
    if (this.events.length >= EVENT_COUNT_LIMIT) {
      this.events.shift();
      this.droppedEventsCount += 1;
    }
    const own: Attributes = {};
    for (const key in attributes) if (Object.hasOwn(attributes, key) && isValidValue(attributes[key])) own[key] = attributes[key];
    this.events.push({ name, attributes: own, time: hrTimeOf(performanceMsOf(at)), droppedAttributesCount: 0 });
    return this;
  }

  addLink(link: Link): this {
    if (!this.isRecording()) return this;
    if (this.links === NONE) this.links = [];
    if (this.links.length >= LINK_COUNT_LIMIT) {
      this.links.shift();
      this.droppedLinksCount += 1;
    }
    this.links.push(link.attributes ? { context: link.context, attributes: { ...link.attributes } } : { context: link.context });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.isRecording() || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status =
      status.code === SpanStatusCode.ERROR && typeof status.message === 'string'
        ? { code: status.code, message: status.message }
        : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (this.isRecording()) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (!this.isRecording()) return;
    const at = endTime === undefined ? performance.now() : performanceMsOf(endTime);
    this.endedAt = at < this.startedAt ? this.startedAt : at;
    this.tracer.processor.onEnd(this);
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes['exception.message'] = exception;
    } else {
      const type = exception.code?.toString() ?? exception.name;
      if (type) attributes['exception.type'] = type;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] !== undefined || attributes['exception.message'] !== undefined)
      this.addEvent('exception', attributes, time);
  }
}
