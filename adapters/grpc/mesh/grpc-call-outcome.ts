import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import type { CallOutcome } from '../../../core/resilience/call-outcome.js';
import { FAILURE_METADATA } from '../to-grpc-status.js';
import { isAnsweredRefusal } from '../from-grpc-status.js';

/**
 * Metadata key set on a status the pool produced itself (queue full, no connection), never seen
 * on the wire: such a call never reached the instance, so another instance may always take it.
 */
export const LOCAL_STATUS_METADATA = 'x-meshwork-local';

/** An error the pool gives a call itself (queue full, no connection, cancelled while waiting). */
export const localError = (code: status, details: string): ServiceError => {
  const metadata = new Metadata();
  metadata.set(LOCAL_STATUS_METADATA, '1');
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
};

/**
 * Whether an UNAVAILABLE came from the server, naming a dependency of its own (the trailer
 * `toGrpcStatus` sets): the server answered. An UNAVAILABLE grpc-js or the pool made (connection
 * refused or dropped, GOAWAY, no connection) carries no such trailer.
 */
export const namesOwnDependency = (metadata: Metadata | undefined): boolean =>
  metadata !== undefined && metadata.get(FAILURE_METADATA.dependency).length > 0 && metadata.get(LOCAL_STATUS_METADATA).length === 0;

/**
 * What a status says about the instance that answered it: UNAVAILABLE (connection refused or
 * dropped, GOAWAY), DEADLINE_EXCEEDED, INTERNAL and UNKNOWN (broken stream, fault) count against
 * it, and so does CANCELLED unless this process cancelled the call (a server shutting down
 * cancels the calls it has in flight); an UNAVAILABLE the server answered naming a dependency of
 * its own (`metadata`: the status' trailers) is a `dependency_failure`, not the instance's
 * (docs/adr/0044), and one it answered on purpose with a Retry-After (a maintenance window,
 * docs/adr/0056) is an `application_error`; every other status is the service answering (NOT_FOUND, INVALID_ARGUMENT, ...).
 */
export const callOutcomeOf = (code: status, cancelledByCaller = false, metadata?: Metadata): CallOutcome => {
  switch (code) {
    case status.OK:
      return 'success';
    case status.CANCELLED:
      return cancelledByCaller ? 'cancelled' : 'instance_failure';
    case status.UNAVAILABLE:
      if (namesOwnDependency(metadata)) return 'dependency_failure';
      // The service refused on purpose and said when to come back (a maintenance window, docs/adr/0056).
      return metadata !== undefined && metadata.get(LOCAL_STATUS_METADATA).length === 0 && isAnsweredRefusal({ code, metadata })
        ? 'application_error'
        : 'instance_failure';
    case status.DEADLINE_EXCEEDED:
    case status.INTERNAL:
    case status.UNKNOWN:
      return 'instance_failure';
    default:
      return 'application_error';
  }
};

/**
 * Whether another instance could succeed where this one failed: it was unavailable, it cancelled
 * the call itself (shutting down), or the pool turned the call away before sending it. Whether the
 * call may be repeated at all is the retry policy's question (safety per method).
 */
export const isRetryableFailure = (error: { readonly code: status; readonly metadata?: Metadata }, cancelledByCaller = false): boolean => {
  if (error.code === status.CANCELLED) return !cancelledByCaller;
  return error.code === status.UNAVAILABLE || error.metadata?.get(LOCAL_STATUS_METADATA).length === 1;
};
