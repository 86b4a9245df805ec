import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure, FieldViolation } from '../shared/errors.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { passwordWork } from './password-work.js';
import { toProfile, type Profile, type User } from './model.js';
import { checkName, checkPassword, checkRequired } from './validation.js';

export type GetProfileDeps = Pick<AuthDeps, 'users'>;

export const getProfile = async (deps: GetProfileDeps, userId: string): Promise<Result<Profile, DomainFailure>> => {
  const user = typeof userId === 'string' && userId !== '' ? await deps.users.findById(userId) : undefined;
  return user ? ok(toProfile(user)) : err(AuthFailures.userNotFound());
};

export interface UpdateProfileInput {
  readonly userId: string;
  /** The caller's own session: kept when a password change revokes the user's other sessions. */
  readonly sessionId?: string;
  readonly name?: string;
  /** Required with `newPassword`. */
  readonly currentPassword?: string;
  readonly newPassword?: string;
}

export type UpdateProfileDeps = Pick<AuthDeps, 'users' | 'sessions' | 'passwords' | 'clock'>;

/**
 * Changes the name and/or the password. A password change needs the current password and revokes
 * every other session of the user. A concurrent change of the same account is `concurrent_update`.
 */
export const updateProfile = async (deps: UpdateProfileDeps, input: UpdateProfileInput): Promise<Result<Profile, DomainFailure>> => {
  const violations = checkUpdate(input);
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));

  const user = await deps.users.findById(input.userId);
  if (!user) return err(AuthFailures.userNotFound());

  let passwordHash = user.passwordHash;
  if (input.newPassword !== undefined) {
    const newPassword = input.newPassword;
    const checked = await passwordWork(async () =>
      (await deps.passwords.verify(input.currentPassword ?? '', user.passwordHash)) ? deps.passwords.hash(newPassword) : undefined,
    );
    if (!checked.ok) return checked;
    if (checked.value === undefined) return err(AuthFailures.wrongCurrentPassword());
    passwordHash = checked.value;
  }

  const now = deps.clock.now();
  const changed: User = { ...user, name: input.name?.trim() ?? user.name, passwordHash, updatedAt: now };
  const stored = await deps.users.update(changed);
  if (!stored.ok) return err(stored.error === 'not_found' ? AuthFailures.userNotFound() : AuthFailures.concurrentUpdate());

  if (input.newPassword !== undefined) {
    await deps.sessions.revokeAllForUser(user.id, now, input.sessionId);
  }
  return ok(toProfile(stored.value));
};

const checkUpdate = (input: UpdateProfileInput): FieldViolation[] => {
  const violations = checkRequired('userId', input.userId);
  if (input.name === undefined && input.newPassword === undefined) {
    violations.push({ field: 'name', message: 'or newPassword is required' });
  }
  if (input.name !== undefined) violations.push(...checkName('name', input.name));
  if (input.newPassword !== undefined) {
    violations.push(...checkPassword('newPassword', input.newPassword));
    violations.push(...checkRequired('currentPassword', input.currentPassword));
  }
  return violations;
};
