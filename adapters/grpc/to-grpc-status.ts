import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import type { DomainFailure, FailureKind, FieldViolation } from '../../core/shared/errors.js';

const CODE_BY_KIND: Readonly<Record<FailureKind, status>> = {
  invalid: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  not_found: status.NOT_FOUND,
  conflict: status.ALREADY_EXISTS,
  unavailable: status.UNAVAILABLE,
  rate_limited: status.RESOURCE_EXHAUSTED,
};

/** Trailer keys carrying the failure for callers that want more than the status code. */
export const FAILURE_METADATA = {
  kind: 'failure-kind',
  code: 'failure-code',
  /** JSON array of `{ field, message }`, non-ASCII escaped as `\uXXXX` (headers are ASCII). */
  violations: 'failure-violations',
  /** Whole milliseconds until a retry may succeed (a `rate_limited` failure's `retryAfterMs`). */
  retryAfterMs: 'retry-after-ms',
  /** The failure's message as a JSON string, escaped as above: a caller answers with it unchanged (docs/adr/0029). */
  message: 'failure-message',
  /**
   * On UNAVAILABLE only: the dependency of the answering server that is unavailable (`redis`, `auth`, ...).
   * The server answered and works: callers do not count it against the instance (docs/adr/0044).
   */
  dependency: 'failure-dependency',
} as const;

/**
 * The one place a domain failure becomes a gRPC status (STYLE.md 6). The status message is the
 * failure's message followed by its field violations; the trailers repeat kind, code and
 * violations in machine-readable form; an unavailable `dependency` of this server is named in a trailer.
 */
export const toGrpcStatus = (failure: DomainFailure, dependency?: string): StatusObject => {
  const metadata = new Metadata();
  if (dependency !== undefined && failure.kind === 'unavailable') metadata.set(FAILURE_METADATA.dependency, asciiOnly(dependency));
  metadata.set(FAILURE_METADATA.kind, failure.kind);
  metadata.set(FAILURE_METADATA.code, asciiOnly(failure.code));
  if (failure.retryAfterMs !== undefined) metadata.set(FAILURE_METADATA.retryAfterMs, String(Math.max(0, Math.ceil(failure.retryAfterMs))));
  metadata.set(FAILURE_METADATA.message, asciiOnly(JSON.stringify(failure.message)));
  const violations = failure.violations ?? [];
  if (violations.length > 0) {
    const plain = violations.map(({ field, message }) => ({ field, message }));
    metadata.set(FAILURE_METADATA.violations, asciiOnly(JSON.stringify(plain)));
  }
  return { code: CODE_BY_KIND[failure.kind], details: describe(failure.message, violations), metadata };
};

const describe = (message: string, violations: readonly FieldViolation[]): string =>
  violations.length === 0 ? message : `${message} (${violations.map((v) => `${v.field}: ${v.message}`).join('; ')})`;

/** Escapes what an ASCII header value cannot hold; JSON.parse reads the escapes back. */
const asciiOnly = (text: string): string => text.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
