import { failure, type DomainFailure } from '../../core/shared/errors.js';

/** Socket errors that mean a dependency (a database, a broker) cannot be reached right now. */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** SQLSTATE class 08 (connection exception) and 57P01-57P03 (the server is shutting down or starting). */
const isSqlOutage = (code: string): boolean => /^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-3]$/.test(code);

/**
 * The failure for an error that says a dependency is away, not that the request or our code is
 * wrong: callers then get UNAVAILABLE / 503 and may retry, instead of an INTERNAL / 500.
 * Undefined for any other error.
 */
export const dependencyOutage = (error: unknown): DomainFailure | undefined => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return undefined;
  if (socketCodes.has(code) || isSqlOutage(code)) {
    return failure('unavailable', 'dependency_unavailable', 'A service this request depends on is unavailable; try again shortly.');
  }
  return undefined;
};
