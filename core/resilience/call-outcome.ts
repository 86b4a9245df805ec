/**
 * How a call ended, as far as the health of the instance that served it goes. The transport
 * decides which of its statuses is which (e.g. gRPC: UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL and
 * connection errors are `instance_failure`; NOT_FOUND or INVALID_ARGUMENT are `application_error`).
 */
export type CallOutcome =
  /** Answered successfully. */
  | 'success'
  /** Answered with an expected failure (not found, invalid, denied): the instance works. */
  | 'application_error'
  /** The instance did not answer properly: counts against its breaker and error rate. */
  | 'instance_failure'
  /** Given up by the caller: says nothing about the instance. */
  | 'cancelled';

/** Whether the outcome counts as an error of the target (breaker, scaling veto, error rate). */
export const isInstanceFailure = (outcome: CallOutcome): boolean => outcome === 'instance_failure';
