import { failure, type DomainFailure, type FieldViolation } from '../shared/errors.js';
import type { TokenRejection } from './ports.js';

/** A failure the caller may retry after `retryAfterMs` (sent as Retry-After). */
export interface ThrottledFailure extends DomainFailure {
  readonly retryAfterMs: number;
}

export const isThrottled = (failure: DomainFailure): failure is ThrottledFailure =>
  typeof (failure as Partial<ThrottledFailure>).retryAfterMs === 'number';

/** Every expected failure of the auth use cases, by stable code. */
export const AuthFailures = {
  invalidInput: (violations: readonly FieldViolation[]): DomainFailure =>
    failure('invalid', 'invalid_input', 'The request is invalid.', violations),
  emailTaken: (): DomainFailure =>
    failure('conflict', 'email_taken', 'An account with this email already exists.', [
      { field: 'email', message: 'is already registered' },
    ]),
  /** The same failure for an unknown email and a wrong password, so neither can be told apart. */
  invalidCredentials: (): DomainFailure => failure('unauthenticated', 'invalid_credentials', 'The email or password is incorrect.'),
  /** Too many failed logins for this account or from this address; the same for known and unknown emails. */
  tooManyLogins: (retryAfterMs: number): ThrottledFailure => ({
    ...failure('rate_limited', 'too_many_login_attempts', 'Too many failed logins; wait before trying again.'),
    retryAfterMs,
  }),
  /** Too many registrations from this address (docs/adr/0035). */
  tooManyRegistrations: (retryAfterMs: number): ThrottledFailure => ({
    ...failure('rate_limited', 'too_many_registrations', 'Too many registrations from this address; wait before trying again.'),
    retryAfterMs,
  }),
  /** Every password worker is busy and the queue is full: answered at once rather than late (docs/adr/0035). */
  passwordHashingBusy: (retryAfterMs: number): ThrottledFailure => ({
    ...failure('unavailable', 'password_hashing_busy', 'The service is busy checking passwords; try again shortly.'),
    retryAfterMs,
  }),
  invalidRefreshToken: (): DomainFailure =>
    failure('unauthenticated', 'invalid_refresh_token', 'The refresh token is not valid: unknown, expired, or its session has ended.'),
  /** A refresh token presented a second time: its whole session is revoked (someone else may hold a copy). */
  refreshTokenReused: (): DomainFailure =>
    failure('unauthenticated', 'refresh_token_reused', 'The refresh token was already used; the session has been ended. Log in again.'),
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
  /** An administrator may not lock themselves out (docs/adr/0054): another administrator, or `npm run admin`, must. */
  selfLockout: (what: string): DomainFailure =>
    failure('conflict', 'self_lockout', `An administrator may not ${what}; another administrator can.`),
  unknownJobType: (type: string): DomainFailure =>
    failure('invalid', 'unknown_job_type', `The email queue has no handler for job type '${type}'.`),
} as const;
