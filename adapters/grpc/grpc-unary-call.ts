import { Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { DomainFailure } from '../../core/shared/errors.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import { childTraceparent, TRACEPARENT } from '../observability/trace-context.js';
import { traceparentOfSpan } from '../observability/tracing/spans.js';
import { fromGrpcStatus } from './from-grpc-status.js';
import { endRpcSpan, startRpcClientSpan } from './grpc-spans.js';
import { servingCall } from './serving-call.js';

/** A generated client's unary method, as ts-proto declares it with metadata and options. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export interface UnaryCallOptions {
  /** The call gives up after this long (DEADLINE_EXCEEDED, read as `unavailable`). */
  readonly timeoutMs: number;
  /** An absolute deadline that must not be passed; by default the one of the gRPC call being served. */
  readonly deadline?: Date;
  /** Sent as is, plus `traceparent` when a trace is in scope (set on this object: pass a fresh one per call). */
  readonly metadata?: Metadata;
  /** Cancels the call when aborted; by default when the gRPC call being served is cancelled. */
  readonly signal?: AbortSignal;
}

/**
 * One unary call as a `Result`: the response, or the failure the remote service answered with
 * (`fromGrpcStatus`). Never rejects for a gRPC error; the deadline is the earliest of the timeout,
 * the given deadline and the deadline of the gRPC call being served (`servingCall`), so a hop never
 * outlives the request that made it. Inside a trace, the call carries `traceparent` metadata: a new
 * span of the same trace (docs/adr/0019), recorded as a client span when the work records spans (docs/adr/0048).
 */
export const grpcUnaryCall = <Req, Res>(
  target: string,
  method: UnaryMethod<Req, Res>,
  request: Req,
  options: UnaryCallOptions,
): Promise<Result<Res, DomainFailure>> =>
  new Promise((resolve) => {
    const parent = servingCall();
    const deadline = Math.min(
      Date.now() + options.timeoutMs,
      options.deadline?.getTime() ?? Infinity,
      parent?.deadline?.getTime() ?? Infinity,
    );
    const signal = options.signal ?? parent?.signal;
    const metadata = options.metadata ?? new Metadata();
    const span = parent?.tracer && startRpcClientSpan(pathOf(method), target);
    if (span) metadata.set(TRACEPARENT, traceparentOfSpan(span));
    else if (parent?.trace) metadata.set(TRACEPARENT, childTraceparent(parent.trace));
    const call = method(request, metadata, { deadline }, (error, response) => {
      signal?.removeEventListener('abort', cancel);
      if (span) endRpcSpan(span, error ? error.code : 0, 'client', error?.details);
      resolve(error ? err(fromGrpcStatus(error, target)) : ok(response));
    });
    const cancel = () => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
  });

/** The rpc's path from a generated client method (`/auth.AuthService/GetUser`), else its function name. */
const pathOf = (method: (...args: never[]) => unknown): string => {
  const path = (method as { readonly path?: unknown }).path;
  return typeof path === 'string' ? path : `/unknown/${method.name}`;
};
