/**
 * How a call ended, as far as the health of the instance that served it goes. The transport
 * decides which of its statuses is which (e.g. gRPC: UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL and
 * connection errors are `instance_failure`; NOT_FOUND or INVALID_ARGUMENT are `application_error`;
 * an UNAVAILABLE the server sent naming a dependency of its own is `dependency_failure`, docs/adr/0044).
 */
export type CallOutcome =
  /** Answered successfully. */
  | 'success'
  /** Answered with an expected failure (not found, invalid, denied): the instance works. */
  | 'application_error'
  /**
   * The instance answered that a dependency of its own (Redis, a database, another service) is
   * unavailable: the call failed, but the instance is reachable and working, so it does not count
   * against its breaker. Every instance shares the dependency; opening their breakers would keep
   * refusing calls for a cool-down after the dependency is back (docs/adr/0044).
   */
  | 'dependency_failure'
  /** The instance did not answer properly (no answer, connection refused, fault): counts against its breaker and error rate. */
  | 'instance_failure'
  /** Given up by the caller: says nothing about the instance. */
  | 'cancelled';

/** Whether the outcome counts as an error of the target (breaker, scaling veto, error rate). */
export const isInstanceFailure = (outcome: CallOutcome): boolean => outcome === 'instance_failure';

/** Whether the instance answered at all (so it is reachable): every outcome but a failure of its own or a cancellation. */
export const isAnswered = (outcome: CallOutcome): boolean =>
  outcome === 'success' || outcome === 'application_error' || outcome === 'dependency_failure';
