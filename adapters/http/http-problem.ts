import type { DomainFailure, FailureKind, FieldViolation } from '../../core/shared/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem details body. `errors` lists field-level violations of an invalid request. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly errors?: readonly FieldViolation[];
}

/** A problem ready to send: status, extra response headers, and the body. */
export interface HttpProblem {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ProblemDetails;
}

/** Problem types are URNs: stable identifiers a client can switch on, not pages to fetch. */
export const problemType = (code: string): string => `urn:meshwork:problem:${code}`;

const BY_KIND: Readonly<Record<FailureKind, { readonly status: number; readonly title: string }>> = {
  invalid: { status: 400, title: 'Invalid request' },
  unauthenticated: { status: 401, title: 'Unauthenticated' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  unavailable: { status: 503, title: 'Service unavailable' },
  rate_limited: { status: 429, title: 'Too many requests' },
};

/** The one mapping from an expected domain failure to its HTTP form. */
export const toHttpProblem = (failure: DomainFailure): HttpProblem => {
  const { status, title } = BY_KIND[failure.kind];
  const headers: Record<string, string> = failure.kind === 'unauthenticated' ? { 'www-authenticate': 'Bearer' } : {};
  if (failure.retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
  return problem(status, failure.code, title, failure.message, failure.violations, headers);
};

/** A problem raised by the transport itself (unknown route, unreadable body, ...), not the domain. */
export const problem = (
  status: number,
  code: string,
  title: string,
  detail: string,
  errors?: readonly FieldViolation[],
  headers: Readonly<Record<string, string>> = {},
): HttpProblem => {
  const body: ProblemDetails = { type: problemType(code), title, status, detail };
  return { status, headers, body: errors && errors.length > 0 ? { ...body, errors } : body };
};
