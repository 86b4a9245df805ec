import { status, type handleUnaryCall, type Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { refusedTextFields } from '../../core/shared/control-characters.js';
import { DomainFailureError, type DomainFailure } from '../../core/shared/errors.js';
import type { Result } from '../../core/shared/result.js';
import { createLogger } from '../observability/logger.js';
import { continueTrace, TRACEPARENT, type TraceContext } from '../observability/trace-context.js';
import { runInTrace } from '../observability/trace-context-scope.js';
import type { Tracer } from '../observability/tracing/spans.js';
import { dependencyOutage } from '../faults/dependency-outage.js';
import { servedSpanOf } from './grpc-spans.js';
import { whileServing } from './serving-call.js';
import { toGrpcStatus } from './to-grpc-status.js';
import { undecodableReason } from './undecodable-request.js';

/** What a handler may know about its call besides the request. */
export interface UnaryContext {
  /** The caller's request metadata (e.g. `authorization`, `x-request-id`). */
  readonly metadata: Metadata;
  /** When the caller stops waiting; undefined when it set no deadline. */
  readonly deadline: Date | undefined;
  /** Aborted when the caller cancels or the deadline passes: pass it on to downstream calls. */
  readonly signal: AbortSignal;
  /** `/package.Service/Method`, for logs. */
  readonly path: string;
  /** This call's span: the caller's trace (its `traceparent` metadata), or a new one. */
  readonly trace: TraceContext;
  /** Records the spans of the handler's hops when the server records a span per call (docs/adr/0048). */
  readonly tracer?: Tracer | undefined;
}

/**
 * A handler answers with the response, or with `err(failure)` for an expected failure, or
 * throws `DomainFailureError`. A returned value is read as a failure only when it is exactly
 * `{ ok, error }` / `{ ok, value }` (core's `Result`), which no generated message is.
 */
export type UnaryHandler<Req, Res> = (request: Req, context: UnaryContext) => Promise<Res | Result<Res, DomainFailure>>;

const INTERNAL_MESSAGE = 'Internal error';
const grpcLogger = createLogger('grpc');

/**
 * Adapts `async (request, context) => response` to a grpc-js unary callback; the response type
 * comes from where the handler is used (the generated `<Service>Server` interface), not from what
 * the handler returns. Failures go through `toGrpcStatus`; any other throw becomes INTERNAL with a
 * generic message and is logged, so a handler's fault never crashes the server nor leaks a stack.
 *
 * The handler runs in the call's trace (docs/adr/0019). At debug level each served call writes one
 * line (path, status code, duration); at info and above nothing is built per call.
 */
export const unaryHandler =
  <Req, Res>(handler: UnaryHandler<Req, NoInfer<Res>>, logger: Logger = grpcLogger): handleUnaryCall<Req, Res> =>
  (call, callback) => {
    const { context, answered } = contextOf(call);
    const reply: typeof callback = (error, value, trailer, flags) => {
      answered();
      callback(error, value, trailer, flags);
    };
    const answer: typeof callback = logger.isLevelEnabled('debug') ? loggedAnswer(context, reply, logger) : reply;
    const undecodable = undecodableReason(call.request);
    if (undecodable !== undefined) {
      answer({ code: status.INVALID_ARGUMENT, details: `request is not a valid protobuf message: ${undecodable}` });
      return;
    }
    const refused = refusedTextFields(call.request, undefined, []);
    if (refused.length > 0) {
      // A NUL would otherwise reach PostgreSQL and come back as a fault (docs/adr/0029).
      const fields = refused.map((violation) => snakeCase(violation.field)).join(', ');
      answer({ code: status.INVALID_ARGUMENT, details: `control characters are not allowed in: ${fields}` });
      return;
    }
    Promise.resolve()
      .then(() => whileServing(context, () => handler(call.request, context)))
      .then(
        (outcome) => {
          if (!isResult(outcome)) return answer(null, outcome);
          if (outcome.ok) return answer(null, outcome.value);
          return answer(toGrpcStatus(outcome.error));
        },
        (error: unknown) => {
          if (error instanceof DomainFailureError) return answer(toGrpcStatus(error.failure, dependencyNamedBy(error)));
          const outage = dependencyOutage(error);
          if (outage) {
            logger.warn({ err: error, path: context.path, trace_id: context.trace.traceId }, 'dependency unavailable');
            return answer(toGrpcStatus(outage, UNNAMED_DEPENDENCY));
          }
          logger.error({ err: error, path: context.path, trace_id: context.trace.traceId }, 'gRPC handler fault');
          return answer({ code: status.INTERNAL, details: INTERNAL_MESSAGE });
        },
      )
      .catch((error: unknown) => logger.error({ err: error, path: context.path }, 'gRPC answer not sent'));
  };

/** The dependency named for a socket or SQL connection error (dependency-outage.ts), which does not say whose it is. */
const UNNAMED_DEPENDENCY = 'unnamed';

/**
 * The dependency an error says is unavailable (`DependencyUnavailableError`, Redis' `RedisUnavailableError`):
 * this server answers and works, a call's failure is not its own (docs/adr/0044).
 */
const dependencyNamedBy = (error: DomainFailureError): string | undefined => {
  const dependency = (error as { readonly dependency?: unknown }).dependency;
  return typeof dependency === 'string' ? dependency : undefined;
};

const snakeCase = (field: string): string => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * The handler's view of `call`, and `answered`, to be called when the answer goes: grpc-js reports
 * most calls cancelled once their stream closes, answered or not, and aborting then would only
 * make an AbortError (with its stack) for nobody.
 */
const contextOf = (call: ServerUnaryCall<unknown, unknown>): { readonly context: UnaryContext; readonly answered: () => void } => {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (call.cancelled) controller.abort();
  else call.once('cancelled', abort);
  const deadline = call.getDeadline();
  const span = servedSpanOf(call);
  const context: UnaryContext = {
    metadata: call.metadata,
    deadline: deadline === Infinity ? undefined : new Date(deadline),
    signal: controller.signal,
    path: call.getPath(),
    trace: span?.trace ?? continueTrace(call.metadata.get(TRACEPARENT)[0] as string | undefined),
    tracer: span?.tracer,
  };
  return { context, answered: () => call.off('cancelled', abort) };
};

/** The callback, plus one debug line per answered call, written in the call's trace. */
const loggedAnswer = <Res>(context: UnaryContext, callback: sendUnaryData<Res>, logger: Logger): sendUnaryData<Res> => {
  const started = performance.now();
  return (error, value, trailer, flags) => {
    const code = error ? (error.code ?? status.UNKNOWN) : status.OK;
    const line = { path: context.path, code, durationMs: Math.round((performance.now() - started) * 10) / 10 };
    runInTrace(context.trace, () => logger.debug(line, 'rpc served'));
    callback(error, value, trailer, flags);
  };
};

const isResult = <Res>(value: Res | Result<Res, DomainFailure>): value is Result<Res, DomainFailure> => {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  if (keys.length !== 2 || typeof (value as { ok?: unknown }).ok !== 'boolean') return false;
  return keys.includes('value') || keys.includes('error');
};
