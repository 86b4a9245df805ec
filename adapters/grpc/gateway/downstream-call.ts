import { Metadata, type Client } from '@grpc/grpc-js';
import type { DomainFailure } from '../../../core/shared/errors.js';
import type { Result } from '../../../core/shared/result.js';
import type { ServiceCalls } from '../mesh/mesh-client.js';
import type { RequestOf, ResponseOf, UnaryMethodName } from '../mesh/unary-method-types.js';

/** What travels with a downstream call: the request id, so one id follows a request across services; a write's idempotency key. */
export interface CallTrace {
  readonly requestId?: string;
  readonly signal?: AbortSignal;
  /** Sent as `idempotency-key` (docs/adr/0058): the service runs the write once, and the mesh may retry it elsewhere. */
  readonly idempotencyKey?: string;
}

/**
 * Calls one rpc of a downstream service through the mesh: the answer or the failure the service
 * answered with; a service that could not answer throws `DependencyUnavailableError` (docs/adr/0027).
 */
export const downstreamCall = <C extends Client, K extends UnaryMethodName<C>>(
  calls: ServiceCalls<C>,
  method: K,
  request: RequestOf<C, K>,
  timeoutMs: number,
  trace: CallTrace = {},
): Promise<Result<ResponseOf<C, K>, DomainFailure>> => {
  const metadata = new Metadata();
  if (trace.requestId) metadata.set('x-request-id', trace.requestId);
  return calls.call(method, request, {
    timeoutMs,
    metadata,
    ...(trace.signal && { signal: trace.signal }),
    ...(trace.idempotencyKey !== undefined && { idempotencyKey: trace.idempotencyKey }),
  });
};
