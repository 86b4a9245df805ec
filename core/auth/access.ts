import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { isAdmin, normaliseEmail, type GrantRole, type Role, type User } from './model.js';
import { actionOf, grantActionList, grantAllows, isPermission, permissionsFor, type Permission } from './permissions.js';
import { checkRequired, textOf } from './validation.js';

export interface UserContext {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly permissions: readonly Permission[];
  readonly isActive: boolean;
  readonly lastLoginAt: number | null;
}

export type GetUserContextDeps = Pick<AuthDeps, 'users'>;

/** Who the user is and what their roles allow; inactive users are returned too (`isActive` false). */
export const getUserContext = async (deps: GetUserContextDeps, userId: string): Promise<Result<UserContext, DomainFailure>> => {
  const user = typeof userId === 'string' && userId !== '' ? await deps.users.findById(userId) : undefined;
  return user ? ok(userContextOf(user)) : err(AuthFailures.userNotFound());
};

/** As `getUserContext`, finding the user by email (case-insensitive, surrounding spaces ignored). */
export const getUserContextByEmail = async (deps: GetUserContextDeps, email: string): Promise<Result<UserContext, DomainFailure>> => {
  const normalised = typeof email === 'string' ? normaliseEmail(email) : '';
  const user = normalised !== '' ? await deps.users.findByEmail(normalised) : undefined;
  return user ? ok(userContextOf(user)) : err(AuthFailures.userNotFound());
};

const userContextOf = (user: User): UserContext => ({
  userId: user.id,
  email: user.email,
  name: user.name,
  roles: [...user.roles],
  permissions: permissionsFor(user.roles),
  isActive: user.isActive,
  lastLoginAt: user.lastLoginAt,
});

export interface CheckPermissionInput {
  readonly userId: string;
  /** `<resource>:<action>`, e.g. `project:update`. */
  readonly permission: string;
  /** When given, the user also needs access to this resource (a grant, or the admin role). */
  readonly resourceId?: string;
}

export interface PermissionDecision {
  readonly allowed: boolean;
  /** Why, in words, whichever the answer. */
  readonly reason: string;
}

export type CheckPermissionDeps = Pick<AuthDeps, 'users' | 'grants'>;

/**
 * Decides whether the user may do `permission` (on `resourceId`). A denial is an answer, not a
 * failure; only a malformed request (no user id, a permission not shaped `resource:action`) fails.
 */
export const checkPermission = async (
  deps: CheckPermissionDeps,
  input: CheckPermissionInput,
): Promise<Result<PermissionDecision, DomainFailure>> => {
  const violations = checkRequired('userId', input.userId);
  if (typeof input.permission !== 'string' || !/^[a-z_]+:[a-z_]+$/.test(input.permission)) {
    violations.push({ field: 'permission', message: 'must look like resource:action' });
  }
  if (violations.length > 0) return err(AuthFailures.invalidInput(violations));

  const { permission } = input;
  const user = await deps.users.findById(input.userId);
  if (!user) return ok(deny('unknown user'));
  if (!user.isActive) return ok(deny('user is inactive'));
  if (!isPermission(permission)) return ok(deny(`unknown permission ${permission}`));
  if (!permissionsFor(user.roles).includes(permission)) {
    return ok(deny(`roles ${user.roles.join(', ')} do not include ${permission}`));
  }

  const resourceId = textOf(input.resourceId)?.trim();
  if (!resourceId) return ok(allow(`role grants ${permission}`));
  if (isAdmin(user)) return ok(allow(`admin may ${permission} on any resource`));

  const grant = await deps.grants.find(user.id, resourceId);
  if (!grant) return ok(deny(`no access to resource ${resourceId}`));
  const action = actionOf(permission);
  return grantAllows(grant.role, action)
    ? ok(allow(`${grant.role} of resource ${resourceId} may ${action}`))
    : ok(deny(`${grant.role} of resource ${resourceId} may not ${action}`));
};

export interface GrantView {
  readonly resourceId: string;
  readonly role: GrantRole;
  /** The actions the grant allows on the resource. */
  readonly actions: readonly string[];
}

export interface UserPermissions {
  readonly userId: string;
  readonly roles: readonly Role[];
  readonly permissions: readonly Permission[];
  readonly grants: readonly GrantView[];
}

export type GetUserPermissionsDeps = Pick<AuthDeps, 'users' | 'grants'>;

/** The user's roles, what they allow, and the resource grants the user holds. */
export const getUserPermissions = async (deps: GetUserPermissionsDeps, userId: string): Promise<Result<UserPermissions, DomainFailure>> => {
  const user = typeof userId === 'string' && userId !== '' ? await deps.users.findById(userId) : undefined;
  if (!user) return err(AuthFailures.userNotFound());
  const grants = await deps.grants.listForUser(user.id);
  return ok({
    userId: user.id,
    roles: [...user.roles],
    permissions: permissionsFor(user.roles),
    grants: grants.map((grant) => ({ resourceId: grant.resourceId, role: grant.role, actions: grantActionList(grant.role) })),
  });
};

const allow = (reason: string): PermissionDecision => ({ allowed: true, reason });
const deny = (reason: string): PermissionDecision => ({ allowed: false, reason });
