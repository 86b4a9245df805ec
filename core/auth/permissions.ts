import { Roles, type GrantRole, type Role } from './model.js';

/**
 * The permission catalogue, `<resource>:<action>`. There is no `*` wildcard: the admin role lists
 * every permission explicitly, so a permission added later is granted to admins only on purpose.
 */
export const UserRolePermissions = [
  'project:create',
  'project:read',
  'project:update',
  'project:delete',
  'project:share',
  'simulation:start',
  'simulation:read',
  'simulation:stop',
  'profile:read',
  'profile:update',
] as const;

/** List and deactivate users; assign roles; publish announcements; read the audit log (docs/adr/0054). */
export const AdminOnlyPermissions = ['admin:users', 'admin:roles', 'admin:announcements', 'admin:audit'] as const;

export const PermissionCatalogue = [...UserRolePermissions, ...AdminOnlyPermissions] as const;
export type Permission = (typeof PermissionCatalogue)[number];

export const isPermission = (value: unknown): value is Permission => (PermissionCatalogue as readonly unknown[]).includes(value);

export const RolePermissions: Readonly<Record<Role, readonly Permission[]>> = {
  user: UserRolePermissions,
  admin: PermissionCatalogue,
};

/** Union of the roles' permissions, in catalogue order. */
export const permissionsFor = (roles: readonly Role[]): Permission[] => {
  const granted = new Set(roles.filter((role) => Roles.includes(role)).flatMap((role) => RolePermissions[role]));
  return PermissionCatalogue.filter((permission) => granted.has(permission));
};

/**
 * Actions a resource grant allows. The action is the part of a permission after `:`, so a viewer
 * of a project may `project:read` and `simulation:read` on it; only the owner may delete, share,
 * start or stop.
 */
export const GrantActions: Readonly<Record<GrantRole, readonly string[] | 'all'>> = {
  viewer: ['read'],
  editor: ['read', 'update'],
  owner: 'all',
};

export const actionOf = (permission: string): string => permission.slice(permission.indexOf(':') + 1);

export const grantAllows = (role: GrantRole, action: string): boolean => {
  const actions = GrantActions[role];
  return actions === 'all' || actions.includes(action);
};

/** Every action a user permission names, deduplicated: what an owner may do on their resource. */
export const ResourceActions: readonly string[] = [...new Set(UserRolePermissions.map(actionOf))];

/** The actions of a grant spelled out, for listing. */
export const grantActionList = (role: GrantRole): readonly string[] => {
  const actions = GrantActions[role];
  return actions === 'all' ? ResourceActions : actions;
};
