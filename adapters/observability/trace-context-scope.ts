import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tracer } from '@opentelemetry/api';
import { childSpan, childTraceparent, formatTraceparent, type TraceContext } from './trace-context.js';

/**
 * What the work in progress passes on to everything it causes, however deep in the domain: its
 * trace (for log lines and the next hop's `traceparent`) and, while a gRPC call is served, that
 * call's deadline and cancellation (see `adapters/grpc/serving-call.ts`). One AsyncLocalStorage
 * for both, so the gRPC hot path enters one scope per call, not two.
 */
export interface RequestScope {
  readonly trace: TraceContext | undefined;
  /** When the caller stops waiting; undefined when it set none (or the work is not a gRPC call). */
  readonly deadline?: Date | undefined;
  /** Aborted when the caller cancels or the deadline passes. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Records the spans of the work's outgoing hops (calls, publishes, queries) when traces are
   * exported (docs/adr/0048): the tracer of the service doing the work. Absent: nothing is recorded.
   */
  readonly tracer?: Tracer | undefined;
  /** For a delivered message or job: the span that sent it, the parent of a consumer span. */
  readonly received?: TraceContext | undefined;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs `work` (and everything it schedules) inside `state`. */
export const runInScope = <T>(state: RequestScope, work: () => T): T => scope.run(state, work);

/**
 * Runs `work` in `trace`, or, when there is none, outside any scope: a socket callback can carry
 * the scope of whatever request opened the socket, which must not leak into unrelated work.
 */
export const runInTrace = <T>(trace: TraceContext | undefined, work: () => T): T => (trace ? scope.run({ trace }, work) : scope.exit(work));

/**
 * Runs the delivery of a message or job whose sender's span was `sender`: in a child span of it,
 * which remembers `sender` for a consumer span (docs/adr/0048); without a sender, outside any scope.
 */
export const runReceived = <T>(sender: TraceContext | undefined, work: () => T): T =>
  sender ? scope.run({ trace: childSpan(sender), received: sender }, work) : scope.exit(work);

/** Runs `work` outside any scope: work that the current one only wakes up, and is not part of. */
export const runDetached = <T>(work: () => T): T => scope.exit(work);

export const currentScope = (): RequestScope | undefined => scope.getStore();

export const currentTrace = (): TraceContext | undefined => scope.getStore()?.trace;

/** The `traceparent` of a hop leaving the current span (a call, a message), or undefined outside a trace. */
export const outgoingTraceparent = (): string | undefined => {
  const trace = scope.getStore()?.trace;
  return trace ? childTraceparent(trace) : undefined;
};

/** The `traceparent` of the current span itself (to be continued later, e.g. by an outbox relay), or undefined outside a trace. */
export const currentTraceparent = (): string | undefined => {
  const trace = scope.getStore()?.trace;
  return trace ? formatTraceparent(trace) : undefined;
};

/**
 * pino `mixin`: every line written inside a trace carries `trace_id` and `span_id`. pino merges
 * the line's own fields into the returned object, so it must be a new one each time.
 */
export const traceLogFields = (): Record<string, string> => {
  const trace = scope.getStore()?.trace;
  return trace ? { trace_id: trace.traceId, span_id: trace.spanId } : {};
};
