import { DomainFailureError, type DomainFailure } from '../../core/shared/errors.js';
import type { Result } from '../../core/shared/result.js';

/** The value of a use case's result; a failure is thrown for the one problem+json error handler to render. */
export const unwrap = <T>(result: Result<T, DomainFailure>): T => {
  if (result.ok) return result.value;
  throw new DomainFailureError(result.error);
};
