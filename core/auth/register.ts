import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { Queues } from '../messaging/channels.js';
import { outboxJob } from '../messaging/outbox.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { passwordWork } from './password-work.js';
import { welcomeEmailJob } from '../messaging/email-jobs.js';
import { normaliseEmail, toProfile, type Profile, type Role, type User } from './model.js';
import { checkEmail, checkName, checkPassword } from './validation.js';

export interface RegisterInput {
  readonly email: string;
  readonly password: string;
  readonly name: string;
  /** The client's address, for the per-address throttle; absent when unknown. */
  readonly address?: string;
}

export type RegisterDeps = Pick<AuthDeps, 'users' | 'passwords' | 'clock' | 'ids' | 'config' | 'registrationThrottle'>;

/**
 * Creates an active account (with `admin` when the email is in `config.adminEmails`) and, with it
 * (outbox, docs/adr/0038), the welcome email job. A taken email (in any letter case) is the
 * `email_taken` conflict. Each registration from an address counts against its limit before the
 * password is hashed; past it, `too_many_registrations` (docs/adr/0035).
 */
export const register = async (deps: RegisterDeps, input: RegisterInput): Promise<Result<Profile, DomainFailure>> => {
  const violations = [...checkEmail('email', input.email), ...checkPassword('password', input.password), ...checkName('name', input.name)];
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));

  const address = input.address;
  const admitted = address === undefined ? undefined : await deps.registrationThrottle.reserve(address);
  if (admitted && !admitted.allowed) return err(AuthFailures.tooManyRegistrations(admitted.retryAfterMs));
  const passwordHash = await passwordWork(() => deps.passwords.hash(input.password));
  if (!passwordHash.ok) {
    // Nothing was done: the attempt does not count.
    if (address !== undefined && admitted?.allowed) await deps.registrationThrottle.release(address, admitted.id);
    return passwordHash;
  }

  const email = normaliseEmail(input.email);
  const now = deps.clock.now();
  const user: User = {
    id: deps.ids.next(),
    email,
    name: input.name.trim(),
    passwordHash: passwordHash.value,
    roles: rolesFor(email, deps.config.adminEmails),
    isActive: true,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
    version: 1,
  };
  const created = await deps.users.create(user, [outboxJob(Queues.email, welcomeEmailJob(user))]);
  if (!created.ok) return err(AuthFailures.emailTaken());
  return ok(toProfile(created.value));
};

const rolesFor = (email: string, adminEmails: readonly string[]): Role[] =>
  adminEmails.some((admin) => normaliseEmail(admin) === email) ? ['user', 'admin'] : ['user'];
