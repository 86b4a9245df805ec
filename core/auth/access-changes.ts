import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure, FieldViolation } from '../shared/errors.js';
import { EventChannels } from '../messaging/channels.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { permissionChangedEvent } from './events.js';
import { canonicalRoles, isAdmin, isGrantRole, isRole, toProfile, type Profile, type Role } from './model.js';
import { updateUser } from './user-updates.js';
import { checkRequired } from './validation.js';

export interface AssignRolesInput {
  /** The administrator making the change. */
  readonly actorId: string;
  readonly userId: string;
  /** The user's complete new set of roles (at least one). */
  readonly roles: readonly string[];
}

export type AssignRolesDeps = Pick<AuthDeps, 'users' | 'events' | 'clock'>;

/** Replaces a user's roles. Only an active admin may; publishes `permission_changed`. */
export const assignRoles = async (deps: AssignRolesDeps, input: AssignRolesInput): Promise<Result<Profile, DomainFailure>> => {
  const violations: FieldViolation[] = [...checkRequired('actorId', input.actorId), ...checkRequired('userId', input.userId)];
  const roles = Array.isArray(input.roles) ? input.roles : [];
  if (roles.length === 0) violations.push({ field: 'roles', message: 'must name at least one role' });
  for (const role of roles) {
    if (!isRole(role)) violations.push({ field: 'roles', message: `has unknown role '${String(role)}'` });
  }
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));

  const actor = await deps.users.findById(input.actorId);
  if (!actor || !actor.isActive || !isAdmin(actor)) return err(AuthFailures.adminRequired());

  const newRoles = canonicalRoles(roles.filter(isRole));
  const now = deps.clock.now();
  const stored = await updateUser(deps.users, input.userId, (user) => ({ ...user, roles: newRoles, updatedAt: now }));
  if (!stored) return err(AuthFailures.userNotFound());

  await deps.events.publish(EventChannels.authPermissionChanged, permissionChangedEvent(stored.id, stored.roles, now));
  return ok(toProfile(stored));
};

export interface GrantResourceAccessInput {
  readonly userId: string;
  readonly resourceId: string;
  /** `owner`, `editor` or `viewer` (GrantRoles). */
  readonly role: string;
}

export type ResourceAccessDeps = Pick<AuthDeps, 'users' | 'grants' | 'events' | 'clock'>;

/**
 * Gives the user `role` on the resource (replacing a previous role), as announced by the service
 * owning the resource. Idempotent: granting the role the user already has publishes nothing.
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
  const existing = await deps.grants.find(user.id, resourceId);
  if (existing?.role === role) return ok(undefined);

  await deps.grants.grant({ userId: user.id, resourceId, role });
  const event = permissionChangedEvent(user.id, user.roles, deps.clock.now(), { resourceId, role });
  await deps.events.publish(EventChannels.authPermissionChanged, event);
  return ok(undefined);
};

export interface RevokeResourceAccessInput {
  readonly userId: string;
  readonly resourceId: string;
}

/** Removes the user's grant on the resource. Idempotent: revoking nothing publishes nothing. */
export const revokeResourceAccess = async (
  deps: ResourceAccessDeps,
  input: RevokeResourceAccessInput,
): Promise<Result<void, DomainFailure>> => {
  const violations = [...checkRequired('userId', input.userId), ...checkRequired('resourceId', input.resourceId)];
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));

  const resourceId = input.resourceId.trim();
  if (!(await deps.grants.revoke(input.userId, resourceId))) return ok(undefined);

  const roles: readonly Role[] = (await deps.users.findById(input.userId))?.roles ?? [];
  const event = permissionChangedEvent(input.userId, roles, deps.clock.now(), { resourceId, role: null });
  await deps.events.publish(EventChannels.authPermissionChanged, event);
  return ok(undefined);
};
