import { failure, type DomainFailure } from '../../core/shared/errors.js';
import { err, ok, type Result } from '../../core/shared/result.js';

/** RFC 6750 §2.1: `Bearer` (any case), spaces, then a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token of an `Authorization: Bearer <token>` header. Missing or malformed credentials are an
 * `unauthenticated` failure (401 with `WWW-Authenticate: Bearer`); the token itself is not checked.
 */
export const bearerToken = (authorization: string | string[] | undefined): Result<string, DomainFailure> => {
  if (authorization === undefined || authorization === '') {
    return err(failure('unauthenticated', 'missing_credentials', 'A bearer token is required.'));
  }
  const token = typeof authorization === 'string' ? BEARER.exec(authorization.trim())?.[1] : undefined;
  return token === undefined
    ? err(failure('unauthenticated', 'malformed_credentials', 'The Authorization header must be "Bearer <token>".'))
    : ok(token);
};
