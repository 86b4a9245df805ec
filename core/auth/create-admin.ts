import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { Queues } from '../messaging/channels.js';
import { welcomeEmailJob } from '../messaging/email-jobs.js';
import { outboxJob } from '../messaging/outbox.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { canonicalRoles, COMMAND_LINE_ACTOR, normaliseEmail, toProfile, type Profile, type User } from './model.js';
import { auditEntry } from './audit.js';
import { passwordWork } from './password-work.js';
import { checkEmail, checkName, checkPassword } from './validation.js';

export interface CreateAdminInput {
  readonly email: string;
  /** For a new account; default the email's local part. */
  readonly name?: string;
  /** For a new account only (the command line makes one up and prints it). */
  readonly password: string;
}

/** What `create-admin` did: made a new account, promoted (and reactivated) an existing one, or nothing. */
export type CreateAdminOutcome =
  | { readonly kind: 'created'; readonly user: Profile }
  | { readonly kind: 'promoted'; readonly user: Profile; readonly reactivated: boolean }
  | { readonly kind: 'already_admin'; readonly user: Profile };

export type CreateAdminDeps = Pick<AuthDeps, 'users' | 'passwords' | 'clock' | 'ids'>;

/**
 * The first administrator, made on the command line (`npm run admin -- create-admin <email>`,
 * docs/adr/0054), where no administrator exists yet to authorise it: whoever can run the command
 * can write auth's database anyway. An existing account gets the admin role (and is reactivated);
 * a new one is created active with the password given and a welcome email. Audited with the actor
 * `command-line`.
 */
export const createAdmin = async (deps: CreateAdminDeps, input: CreateAdminInput): Promise<Result<CreateAdminOutcome, DomainFailure>> => {
  const emailViolations = checkEmail('email', input.email);
  if (emailViolations.length > 0) return err(AuthFailures.invalidInput(emailViolations));
  const email = normaliseEmail(input.email);
  const now = deps.clock.now();

  const existing = await deps.users.findByEmail(email);
  if (existing) {
    if (existing.roles.includes('admin') && existing.isActive) return ok({ kind: 'already_admin', user: toProfile(existing) });
    const roles = canonicalRoles([...existing.roles, 'admin']);
    const audit = auditEntry(deps, now, COMMAND_LINE_ACTOR, 'promote_admin', existing, {
      target_email: existing.email,
      roles_before: existing.roles.join(','),
      roles_after: roles.join(','),
      reactivated: String(!existing.isActive),
    });
    const stored = await deps.users.update({ ...existing, roles, isActive: true, updatedAt: now }, [], audit);
    if (!stored.ok) return err(AuthFailures.concurrentUpdate());
    return ok({ kind: 'promoted', user: toProfile(stored.value), reactivated: !existing.isActive });
  }

  const name = input.name?.trim() || email.slice(0, email.indexOf('@'));
  const violations = [...checkName('name', name), ...checkPassword('password', input.password)];
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));
  const passwordHash = await passwordWork(() => deps.passwords.hash(input.password));
  if (!passwordHash.ok) return passwordHash;
  const user: User = {
    id: deps.ids.next(),
    email,
    name,
    passwordHash: passwordHash.value,
    roles: ['user', 'admin'],
    isActive: true,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
    version: 1,
  };
  const audit = auditEntry(deps, now, COMMAND_LINE_ACTOR, 'create_admin', user, { target_email: email });
  const created = await deps.users.create(user, [outboxJob(Queues.email, welcomeEmailJob(user))], audit);
  if (!created.ok) return err(AuthFailures.emailTaken());
  return ok({ kind: 'created', user: toProfile(created.value) });
};
