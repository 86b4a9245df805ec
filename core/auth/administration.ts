import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { EventChannels } from '../messaging/channels.js';
import { outboxEvent } from '../messaging/outbox.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { deactivationEvent } from './events.js';
import { toProfile, type Profile, type User } from './model.js';
import { auditEntry, authorizeAdmin, cursorOf, pageSizeOf, pageTokenOf } from './audit.js';
import { checkRequired } from './validation.js';
import { closeUserSockets } from './user-sockets.js';

/**
 * What administrators do to accounts (docs/adr/0054): list them, deactivate and reactivate them.
 * Roles are assigned by `assignRoles` (access-changes.ts). Each use case checks the actor itself,
 * whatever the gateway checked, and each change is stored with its audit entry.
 */

export interface ListUsersInput {
  readonly actorId: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export interface UserPage {
  readonly users: readonly Profile[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
}

/** Every account, oldest first, a page at a time, for an administrator holding `admin:users`. */
export const listUsers = async (deps: Pick<AuthDeps, 'users'>, input: ListUsersInput): Promise<Result<UserPage, DomainFailure>> => {
  const actor = await authorizeAdmin(deps, input.actorId, 'admin:users');
  if (!actor.ok) return actor;
  const size = pageSizeOf(input.pageSize);
  if (!size.ok) return size;
  const after = cursorOf('users', input.pageToken);
  if (!after.ok) return after;
  const page = await deps.users.list({
    limit: size.value,
    ...(after.value && { after: { createdAt: after.value.at, id: after.value.id } }),
  });
  const next = page.next && { at: page.next.createdAt, id: page.next.id };
  return ok({ users: page.items.map(toProfile), nextPageToken: pageTokenOf('users', next) });
};

export interface SetUserActiveInput {
  readonly actorId: string;
  readonly userId: string;
  readonly active: boolean;
}

export interface UserActivation {
  readonly user: Profile;
  /** Sessions this call ended (a deactivation ends them all). */
  readonly sessionsRevoked: number;
}

export type SetUserActiveDeps = Pick<AuthDeps, 'users' | 'sessions' | 'clock' | 'ids' | 'sockets'>;

/**
 * Deactivates or reactivates an account, for an administrator holding `admin:users`; nobody may
 * deactivate themselves. A deactivation is stored with its audit entry and its event on
 * `auth:events:logout` (`reason: deactivated`, no `session_id`; outbox, docs/adr/0046): every
 * gateway forgets the user's cached sessions, so their tokens are refused from the next request
 * on, and closes any socket of the user it holds. Then every session of the user ends and the
 * user's sockets are closed on every gateway through the client directory at once (docs/adr/0052).
 * Idempotent: deactivating an inactive user changes, audits and announces nothing, and ends any
 * session or socket left.
 */
export const setUserActive = async (deps: SetUserActiveDeps, input: SetUserActiveInput): Promise<Result<UserActivation, DomainFailure>> => {
  const violations = checkRequired('user_id', input.userId);
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));
  const actor = await authorizeAdmin(deps, input.actorId, 'admin:users');
  if (!actor.ok) return actor;
  if (!input.active && actor.value.id === input.userId) return err(AuthFailures.selfLockout('deactivate your own account'));

  const changed = await changeActive(deps, actor.value, input.userId, input.active);
  if (!changed.ok) return changed;
  if (input.active) return ok({ user: toProfile(changed.value), sessionsRevoked: 0 });

  const sessionsRevoked = await deps.sessions.revokeAllForUser(input.userId, deps.clock.now());
  await closeUserSockets(deps, { userId: input.userId, reason: 'deactivated' });
  return ok({ user: toProfile(changed.value), sessionsRevoked });
};

const MaxAttempts = 3;

/** The user with `isActive` set, stored with its audit entry when it changed; as it was when it did not. */
const changeActive = async (
  deps: SetUserActiveDeps,
  actor: User,
  userId: string,
  active: boolean,
): Promise<Result<User, DomainFailure>> => {
  for (let attempt = 0; attempt < MaxAttempts; attempt += 1) {
    const current = await deps.users.findById(userId);
    if (!current) return err(AuthFailures.userNotFound());
    if (current.isActive === active) return ok(current);
    const now = deps.clock.now();
    const audit = auditEntry(deps, now, actor.id, active ? 'reactivate_user' : 'deactivate_user', current, {
      actor_email: actor.email,
      target_email: current.email,
    });
    const announced = active ? [] : [outboxEvent(EventChannels.authLogout, deactivationEvent(current.id, now))];
    const stored = await deps.users.update({ ...current, isActive: active, updatedAt: now }, announced, audit);
    if (stored.ok) return ok(stored.value);
    if (stored.error === 'not_found') return err(AuthFailures.userNotFound());
  }
  return err(AuthFailures.concurrentUpdate());
};
