import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure, FieldViolation } from '../shared/errors.js';
import { EventChannels } from '../messaging/channels.js';
import { outboxEvent, type OutboxMessage } from '../messaging/outbox.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { permissionChangedEvent } from './events.js';
import { canonicalRoles, isGrantRole, isRole, toProfile, type Profile, type Role } from './model.js';
import { auditEntry, authorizeAdmin } from './audit.js';
import { checkRequired } from './validation.js';

export interface AssignRolesInput {
  /** The administrator making the change. */
  readonly actorId: string;
  readonly userId: string;
  /** The user's complete new set of roles (at least one). */
  readonly roles: readonly string[];
}

export type AssignRolesDeps = Pick<AuthDeps, 'users' | 'clock' | 'ids'>;

const MaxAttempts = 3;

/**
 * Replaces a user's roles (assigning and revoking in one). Only an active administrator holding
 * `admin:roles` may, and not to take the admin role from themselves (docs/adr/0054). The change is
 * stored with its audit entry and its `permission_changed` (outbox, docs/adr/0046), so every
 * gateway re-reads the user's sessions. Giving the roles a user already has changes, audits and
 * announces nothing.
 */
export const assignRoles = async (deps: AssignRolesDeps, input: AssignRolesInput): Promise<Result<Profile, DomainFailure>> => {
  const violations: FieldViolation[] = [...checkRequired('actorId', input.actorId), ...checkRequired('userId', input.userId)];
  const roles = Array.isArray(input.roles) ? input.roles : [];
  if (roles.length === 0) violations.push({ field: 'roles', message: 'must name at least one role' });
  for (const role of roles) {
    if (!isRole(role)) violations.push({ field: 'roles', message: `has unknown role '${String(role)}'` });
  }
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));

  const actor = await authorizeAdmin(deps, input.actorId, 'admin:roles');
  if (!actor.ok) return actor;
  const newRoles = canonicalRoles(roles.filter(isRole));
  if (actor.value.id === input.userId && !newRoles.includes('admin')) return err(AuthFailures.selfLockout('revoke their own admin role'));

  for (let attempt = 0; attempt < MaxAttempts; attempt += 1) {
    const current = await deps.users.findById(input.userId);
    if (!current) return err(AuthFailures.userNotFound());
    if (sameRoles(current.roles, newRoles)) return ok(toProfile(current));
    const now = deps.clock.now();
    const audit = auditEntry(deps, now, actor.value.id, 'assign_roles', current, {
      actor_email: actor.value.email,
      target_email: current.email,
      roles_before: current.roles.join(','),
      roles_after: newRoles.join(','),
    });
    const stored = await deps.users.update(
      { ...current, roles: newRoles, updatedAt: now },
      [permissionChanged(permissionChangedEvent(current.id, newRoles, now))],
      audit,
    );
    if (stored.ok) return ok(toProfile(stored.value));
    if (stored.error === 'not_found') return err(AuthFailures.userNotFound());
  }
  return err(AuthFailures.concurrentUpdate());
};

const sameRoles = (a: readonly Role[], b: readonly Role[]): boolean => a.length === b.length && a.every((role) => b.includes(role));

export interface GrantResourceAccessInput {
  readonly userId: string;
  readonly resourceId: string;
  /** `owner`, `editor` or `viewer` (GrantRoles). */
  readonly role: string;
}

export type ResourceAccessDeps = Pick<AuthDeps, 'users' | 'grants' | 'clock'>;

/**
 * Gives the user `role` on the resource (replacing a previous role), as announced by the service
 * owning the resource, with its `permission_changed` (outbox). Idempotent: granting the role the
 * user already has records nothing.
 */
export const grantResourceAccess = async (
  deps: ResourceAccessDeps,
  input: GrantResourceAccessInput,
): Promise<Result<void, DomainFailure>> => {
  const violations = [...checkRequired('userId', input.userId), ...checkRequired('resourceId', input.resourceId)];
  const role = isGrantRole(input.role) ? input.role : undefined;
  if (!role) violations.push({ field: 'role', message: 'must be owner, editor or viewer' });
  if (violations.length > 0 || !role) return err(AuthFailures.invalidInput(violations));

  const user = await deps.users.findById(input.userId);
  if (!user) return err(AuthFailures.userNotFound());
  const resourceId = input.resourceId.trim();
  // The repository records the event only when the grant changed: the same grant twice (a retry, or
  // every auth instance taking the same project event) announces nothing more.
  const event = permissionChangedEvent(user.id, user.roles, deps.clock.now(), { resourceId, role });
  await deps.grants.grant({ userId: user.id, resourceId, role }, [permissionChanged(event)]);
  return ok(undefined);
};

export interface RevokeResourceAccessInput {
  readonly userId: string;
  readonly resourceId: string;
}

/** Removes the user's grant on the resource, with its `permission_changed` (outbox). Idempotent: revoking nothing records nothing. */
export const revokeResourceAccess = async (
  deps: ResourceAccessDeps,
  input: RevokeResourceAccessInput,
): Promise<Result<void, DomainFailure>> => {
  const violations = [...checkRequired('userId', input.userId), ...checkRequired('resourceId', input.resourceId)];
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));

  const resourceId = input.resourceId.trim();
  const roles: readonly Role[] = (await deps.users.findById(input.userId))?.roles ?? [];
  const event = permissionChangedEvent(input.userId, roles, deps.clock.now(), { resourceId, role: null });
  await deps.grants.revoke(input.userId, resourceId, [permissionChanged(event)]);
  return ok(undefined);
};

const permissionChanged = (event: ReturnType<typeof permissionChangedEvent>): OutboxMessage =>
  outboxEvent(EventChannels.authPermissionChanged, event);
