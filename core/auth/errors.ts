import { failure, type DomainFailure, type FieldViolation } from '../shared/errors.js';
import type { TokenRejection } from './ports.js';

/** Every expected failure of the auth use cases, by stable code. */
export const AuthFailures = {
  invalidInput: (violations: readonly FieldViolation[]): DomainFailure =>
    failure('invalid', 'invalid_input', 'The request is invalid.', violations),
  emailTaken: (): DomainFailure =>
    failure('conflict', 'email_taken', 'An account with this email already exists.', [
      { field: 'email', message: 'is already registered' },
    ]),
  /** The same failure for an unknown email and a wrong password, so neither can be told apart. */
  invalidCredentials: (): DomainFailure =>
    failure('unauthenticated', 'invalid_credentials', 'The email or password is incorrect.'),
  accountDisabled: (): DomainFailure => failure('forbidden', 'account_disabled', 'This account is disabled.'),
  invalidToken: (reason: TokenRejection): DomainFailure =>
    failure('unauthenticated', 'invalid_token', `The token is not valid (${reason}).`),
  userNotFound: (): DomainFailure => failure('not_found', 'user_not_found', 'No such user.'),
  wrongCurrentPassword: (): DomainFailure =>
    failure('invalid', 'wrong_current_password', 'The current password is incorrect.', [
      { field: 'currentPassword', message: 'is incorrect' },
    ]),
  concurrentUpdate: (): DomainFailure =>
    failure('conflict', 'concurrent_update', 'The account was changed at the same time; read it again and retry.'),
  adminRequired: (): DomainFailure => failure('forbidden', 'admin_required', 'Only an administrator may do this.'),
  unknownJobType: (type: string): DomainFailure =>
    failure('invalid', 'unknown_job_type', `The email queue has no handler for job type '${type}'.`),
} as const;
