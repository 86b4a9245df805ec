import { Metadata } from '@grpc/grpc-js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import type { Result } from '../../../core/shared/result.js';
import type { GrpcClientSource } from '../grpc-client-source.js';
import { grpcUnaryCall, type UnaryMethod } from '../grpc-unary-call.js';

/** What travels with a downstream call: the request id, so one id follows a request across services. */
export interface CallTrace {
  readonly requestId?: string;
  readonly signal?: AbortSignal;
}

/**
 * Calls one rpc on a client taken from `source` for this call, as a Result (never rejects for a
 * gRPC error). `pick` chooses the method, bound to that client.
 */
export const downstreamCall = <C, Req, Res>(
  target: string,
  source: GrpcClientSource<C>,
  pick: (client: C) => UnaryMethod<Req, Res>,
  request: Req,
  timeoutMs: number,
  trace: CallTrace = {},
): Promise<Result<Res, DomainFailure>> => {
  const metadata = new Metadata();
  if (trace.requestId) metadata.set('x-request-id', trace.requestId);
  return grpcUnaryCall(target, pick(source.client()), request, { timeoutMs, metadata, ...(trace.signal && { signal: trace.signal }) });
};
