import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace as otelTrace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { formatTraceparent, newSpanId, type TraceContext } from '../trace-context.js';
import { currentScope, runInScope, type RequestScope } from '../trace-context-scope.js';
import { MeshSpan, MeshTracer } from './mesh-tracer.js';
import { ERROR_TYPE } from './semantic-attributes.js';

export { SpanKind };
export type { Span, Tracer };

/**
 * OpenTelemetry spans on the mesh's own trace scope (docs/adr/0048). The scope of
 * `trace-context-scope.ts` stays the one carrier of the current span: a span is started with an
 * explicit parent (no OpenTelemetry context manager, no global provider), and its ids, which the
 * SDK makes, become the scope's `TraceContext`, so logs, `traceparent` and spans name one span.
 */

const FLAGS = ['00', '01'] as const;
const SAMPLED = FLAGS[1];

/** The OpenTelemetry context whose span is `parent` (a remote one: received in a header, metadata or envelope). */
const parentContextOf = (parent: TraceContext | undefined, remote: boolean): Context =>
  parent
    ? otelTrace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parseInt(parent.flags, 16) & 1,
        isRemote: remote,
      })
    : ROOT_CONTEXT;

/** `span`'s ids as the scope and `traceparent` carry them; the flags say whether it is sampled. */
export const traceOfSpan = (span: Span): TraceContext => {
  if (span instanceof MeshSpan) return span.trace;
  const context = span.spanContext();
  return { traceId: context.traceId, spanId: context.spanId, flags: FLAGS[context.traceFlags & 1]! };
};

export const traceparentOfSpan = (span: Span): string => formatTraceparent(traceOfSpan(span));

/** Tracers whose sampler follows the parent's decision (the `parentbased_*` samplers). */
const followingParents = new WeakSet<Tracer>();

/**
 * Marks `tracer` as sampling by its parent's decision (`parentbased_*`, the default): a span whose
 * parent is not sampled is then made here, not sampled either, without asking the SDK.
 */
export const followsParentSampling = (tracer: Tracer): Tracer => {
  followingParents.add(tracer);
  return tracer;
};

/**
 * Starts a span under `parent`, or a new trace without one; the sampler (parent-based by default)
 * decides whether it is recorded. `remote`: the parent came from another process. `attributes` may
 * be a function, called only when the span is asked for; either way a new object that the span may
 * keep as its own (the mesh's tracer does, docs/adr/0069).
 */
export const startSpan = (
  tracer: Tracer,
  name: string,
  kind: SpanKind,
  parent: TraceContext | undefined,
  attributes: Attributes | (() => Attributes),
  remote = false,
): Span => {
  if (parent !== undefined && parent.flags !== SAMPLED && followingParents.has(tracer)) {
    return otelTrace.wrapSpanContext({ traceId: parent.traceId, spanId: newSpanId(), traceFlags: 0 });
  }
  const given = typeof attributes === 'function' ? attributes() : attributes;
  if (tracer instanceof MeshTracer) return tracer.start(name, kind, parent, given, remote);
  return tracer.startSpan(name, { kind, attributes: given }, parentContextOf(parent, remote));
};

/**
 * The scope of work that records spans, or undefined (no tracer, not in a trace, or in a span that
 * is not sampled): callers then record nothing and build nothing. A local child of an unsampled
 * span is never sampled by the standard samplers (parent-based ones follow the parent, the ratio
 * decides by trace id, the same for the whole trace), so the SDK is not asked.
 */
export const recordingScope = (): (RequestScope & { readonly tracer: Tracer; readonly trace: TraceContext }) | undefined => {
  const scope = currentScope();
  return scope?.tracer !== undefined && scope.trace !== undefined && scope.trace.flags === SAMPLED
    ? (scope as RequestScope & { readonly tracer: Tracer; readonly trace: TraceContext })
    : undefined;
};

/** A span of a hop leaving the current work (a call, a publish, a query), or undefined when the scope records none. */
export const startHopSpan = (name: string, kind: SpanKind, attributes: Attributes): Span | undefined => {
  const scope = recordingScope();
  return scope && startSpan(scope.tracer, name, kind, scope.trace, attributes);
};

/** Marks `span` failed: `error.type` is `type`, else the error's code or class; the error's message describes the status. */
export const failSpan = (span: Span, error: unknown, type?: string): void => {
  span.setAttribute(ERROR_TYPE, type ?? errorTypeOf(error));
  if (error === undefined) span.setStatus({ code: SpanStatusCode.ERROR });
  else span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
};

const errorTypeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return error instanceof Error ? error.constructor.name : '_OTHER';
};

/**
 * Runs `work` as the span's own work: in a scope whose trace is the span (so its hops are its
 * children) recorded by `tracer`; ends the span when the work settles, failed if it throws or rejects.
 */
export const runInSpan = <T>(span: Span, tracer: Tracer, work: () => T): T => {
  // An unsampled span has nothing to end: its hops record nothing either (`recordingScope`).
  if (!span.isRecording()) return runInScope({ trace: traceOfSpan(span), tracer }, work);
  let result: T;
  try {
    result = runInScope({ trace: traceOfSpan(span), tracer }, work);
  } catch (error) {
    endFailed(span, error);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        endFailed(span, error ?? new Error('rejected'));
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
};

const endFailed = (span: Span, error: unknown): void => {
  failSpan(span, error);
  span.end();
};
