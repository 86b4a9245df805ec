/**
 * The kinds of expected failure every transport knows how to express. Each domain's error union
 * carries one of these in `kind`, so a gRPC status or an HTTP status follows from one small mapping
 * per transport (`toGrpcStatus`, the fastify error handler) without knowing the domain.
 */
export type FailureKind =
  | 'invalid' // the request is malformed or breaks a rule: INVALID_ARGUMENT / 400
  | 'unauthenticated' // no valid credentials: UNAUTHENTICATED / 401
  | 'forbidden' // authenticated but not allowed: PERMISSION_DENIED / 403
  | 'not_found' // NOT_FOUND / 404
  | 'conflict' // already exists or version conflict: ALREADY_EXISTS / 409
  | 'unavailable' // a dependency is down: UNAVAILABLE / 503
  | 'rate_limited'; // RESOURCE_EXHAUSTED / 429

export interface FieldViolation {
  readonly field: string;
  readonly message: string;
}

export interface DomainFailure {
  readonly kind: FailureKind;
  /** Stable machine-readable code, e.g. `email_taken`. */
  readonly code: string;
  /** Human-readable, safe to show to the caller. */
  readonly message: string;
  readonly violations?: readonly FieldViolation[];
  /** For `rate_limited`: when a retry may succeed (HTTP `Retry-After`, gRPC trailer `retry-after-ms`). */
  readonly retryAfterMs?: number;
}

export const failure = (kind: FailureKind, code: string, message: string, violations?: readonly FieldViolation[]): DomainFailure =>
  violations ? { kind, code, message, violations } : { kind, code, message };

/** Thrown by adapters and composition when a DomainFailure must cross a boundary as an exception. */
export class DomainFailureError extends Error {
  constructor(readonly failure: DomainFailure) {
    super(failure.message);
    this.name = 'DomainFailureError';
  }
}

/**
 * A dependency (another service, a database, a broker) could not answer: a fault, not an outcome
 * (docs/adr/0027). Every port whose adapter reaches a dependency throws this rather than returning
 * an `unavailable` Result; each transport maps it once (UNAVAILABLE, 503 problem+json).
 */
export class DependencyUnavailableError extends DomainFailureError {
  constructor(
    readonly dependency: string,
    message: string,
    code = 'dependency_unavailable',
  ) {
    super(failure('unavailable', code, message));
    this.name = 'DependencyUnavailableError';
  }
}
