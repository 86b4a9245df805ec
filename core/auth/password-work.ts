import type { DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import { AuthFailures } from './errors.js';
import { PasswordHasherBusy } from './ports.js';

/** Runs password hashing or checking; a saturated hasher becomes `password_hashing_busy`, other faults are rethrown. */
export const passwordWork = async <T>(work: () => Promise<T>): Promise<Result<T, DomainFailure>> => {
  try {
    return ok(await work());
  } catch (error) {
    if (error instanceof PasswordHasherBusy) return err(AuthFailures.passwordHashingBusy(error.retryAfterMs));
    throw error;
  }
};
