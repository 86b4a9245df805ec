import { status, type handleUnaryCall, type Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { DomainFailureError, type DomainFailure } from '../../core/shared/errors.js';
import type { Result } from '../../core/shared/result.js';
import { createLogger } from '../observability/logger.js';
import { dependencyOutage } from '../faults/dependency-outage.js';
import { whileServing } from './serving-call.js';
import { toGrpcStatus } from './to-grpc-status.js';

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
}

/**
 * A handler answers with the response, or with `err(failure)` for an expected failure, or
 * throws `DomainFailureError`. A returned value is read as a failure only when it is exactly
 * `{ ok, error }` / `{ ok, value }` (core's `Result`), which no generated message is.
 */
export type UnaryHandler<Req, Res> = (
  request: Req,
  context: UnaryContext,
) => Promise<Res | Result<Res, DomainFailure>>;

const INTERNAL_MESSAGE = 'Internal error';
const grpcLogger = createLogger('grpc');

/**
 * Adapts `async (request, context) => response` to a grpc-js unary callback; the response type
 * comes from where the handler is used (the generated `<Service>Server` interface), not from what
 * the handler returns. Failures go through `toGrpcStatus`; any other throw becomes INTERNAL with a
 * generic message and is logged, so a handler's fault never crashes the server nor leaks a stack.
 */
export const unaryHandler =
  <Req, Res>(handler: UnaryHandler<Req, NoInfer<Res>>, logger: Logger = grpcLogger): handleUnaryCall<Req, Res> =>
  (call, callback) => {
    const context = contextOf(call);
    Promise.resolve()
      .then(() => whileServing(context, () => handler(call.request, context)))
      .then(
        (outcome) => {
          if (!isResult(outcome)) return callback(null, outcome);
          if (outcome.ok) return callback(null, outcome.value);
          return callback(toGrpcStatus(outcome.error));
        },
        (error: unknown) => {
          if (error instanceof DomainFailureError) return callback(toGrpcStatus(error.failure));
          const outage = dependencyOutage(error);
          if (outage) {
            logger.warn({ err: error, path: context.path }, 'dependency unavailable');
            return callback(toGrpcStatus(outage));
          }
          logger.error({ err: error, path: context.path }, 'gRPC handler fault');
          return callback({ code: status.INTERNAL, details: INTERNAL_MESSAGE });
        },
      )
      .catch((error: unknown) => logger.error({ err: error, path: context.path }, 'gRPC answer not sent'));
  };

const contextOf = (call: ServerUnaryCall<unknown, unknown>): UnaryContext => {
  const controller = new AbortController();
  if (call.cancelled) controller.abort();
  else call.once('cancelled', () => controller.abort());
  const deadline = call.getDeadline();
  return {
    metadata: call.metadata,
    deadline: deadline === Infinity ? undefined : new Date(deadline),
    signal: controller.signal,
    path: call.getPath(),
  };
};

const isResult = <Res>(value: Res | Result<Res, DomainFailure>): value is Result<Res, DomainFailure> => {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  if (keys.length !== 2 || typeof (value as { ok?: unknown }).ok !== 'boolean') return false;
  return keys.includes('value') || keys.includes('error');
};
