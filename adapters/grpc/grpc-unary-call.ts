import { Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { DomainFailure } from '../../core/shared/errors.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import { fromGrpcStatus } from './from-grpc-status.js';

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
  /** An absolute deadline that must not be passed, e.g. the one of the request being served. */
  readonly deadline?: Date;
  readonly metadata?: Metadata;
  /** Cancels the call when aborted (the caller's own call was cancelled). */
  readonly signal?: AbortSignal;
}

/**
 * One unary call as a `Result`: the response, or the failure the remote service answered with
 * (`fromGrpcStatus`). Never rejects for a gRPC error; the deadline is the earlier of the timeout
 * and the caller's own deadline, so a hop never outlives the request that made it.
 */
export const grpcUnaryCall = <Req, Res>(
  target: string,
  method: UnaryMethod<Req, Res>,
  request: Req,
  options: UnaryCallOptions,
): Promise<Result<Res, DomainFailure>> =>
  new Promise((resolve) => {
    const own = Date.now() + options.timeoutMs;
    const deadline = options.deadline ? Math.min(own, options.deadline.getTime()) : own;
    const call = method(request, options.metadata ?? new Metadata(), { deadline }, (error, response) => {
      options.signal?.removeEventListener('abort', cancel);
      resolve(error ? err(fromGrpcStatus(error, target)) : ok(response));
    });
    const cancel = () => call.cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
  });
