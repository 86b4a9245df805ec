import { status, type ServiceError } from '@grpc/grpc-js';
import { failure, type DomainFailure, type FailureKind, type FieldViolation } from '../../core/shared/errors.js';
import { FAILURE_METADATA } from './to-grpc-status.js';

const KIND_BY_CODE: Partial<Record<status, FailureKind>> = {
  [status.INVALID_ARGUMENT]: 'invalid',
  [status.FAILED_PRECONDITION]: 'invalid',
  [status.OUT_OF_RANGE]: 'invalid',
  [status.UNAUTHENTICATED]: 'unauthenticated',
  [status.PERMISSION_DENIED]: 'forbidden',
  [status.NOT_FOUND]: 'not_found',
  [status.ALREADY_EXISTS]: 'conflict',
  [status.ABORTED]: 'conflict',
  [status.RESOURCE_EXHAUSTED]: 'rate_limited',
};

/**
 * The inverse of `toGrpcStatus`, for clients: the failure a remote service answered with. Statuses
 * that say nothing about the request (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, INTERNAL,
 * UNIMPLEMENTED, UNKNOWN, ...) become `unavailable`: the dependency could not answer.
 */
export const fromGrpcStatus = (error: ServiceError, target: string): DomainFailure => {
  const kind = isAnsweredRefusal(error) ? 'unavailable' : KIND_BY_CODE[error.code as status];
  const code = String(error.metadata?.get(FAILURE_METADATA.code)[0] ?? status[error.code]?.toLowerCase() ?? 'unknown');
  if (kind === undefined) {
    return failure(
      'unavailable',
      'dependency_unavailable',
      `${target} did not answer: ${status[error.code] ?? error.code} ${error.details}`,
    );
  }
  const violations = parseViolations(error.metadata?.get(FAILURE_METADATA.violations)[0]);
  const retryAfterMs = Number(error.metadata?.get(FAILURE_METADATA.retryAfterMs)[0] ?? Number.NaN);
  const message = parseMessage(error.metadata?.get(FAILURE_METADATA.message)[0]) ?? error.details;
  const answered = failure(kind, code, message, violations);
  return Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? { ...answered, retryAfterMs } : answered;
};

/**
 * An UNAVAILABLE the service answered on purpose, saying when to come back (a maintenance window,
 * docs/adr/0056): its own failure, code, message and Retry-After are passed on, not replaced by
 * "did not answer". One naming an unavailable dependency of the service (docs/adr/0044) is not.
 */
export const isAnsweredRefusal = (error: Pick<ServiceError, 'code' | 'metadata'>): boolean =>
  error.code === status.UNAVAILABLE &&
  error.metadata?.get(FAILURE_METADATA.kind)[0] === 'unavailable' &&
  error.metadata.get(FAILURE_METADATA.retryAfterMs).length > 0 &&
  error.metadata.get(FAILURE_METADATA.dependency).length === 0;

/** The failure's own message, without the violations the status details append to it. */
const parseMessage = (raw: unknown): string | undefined => {
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
};

const parseViolations = (raw: unknown): readonly FieldViolation[] | undefined => {
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed)
      ? parsed.filter((v): v is FieldViolation => typeof v?.field === 'string' && typeof v?.message === 'string')
      : undefined;
  } catch {
    return undefined;
  }
};
