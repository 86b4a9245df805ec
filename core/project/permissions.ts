import type { DomainFailure } from '../shared/errors.js';
import { ProjectFailures } from './errors.js';
import type { AuthorizationPort } from './ports.js';

/** User-level permissions the auth service grants by role, checked before project-level access. */
export const ProjectPermissions = {
  create: 'project:create',
  update: 'project:update',
  delete: 'project:delete',
  share: 'project:share',
} as const;
export type ProjectPermission = (typeof ProjectPermissions)[keyof typeof ProjectPermissions];

/**
 * Undefined when the authorization service allows `permission`, the denial otherwise. Checked
 * without a resource id: access to the one project is decided by its owner and shares here.
 */
export const requirePermission = async (
  authorization: AuthorizationPort,
  userId: string,
  permission: ProjectPermission,
): Promise<DomainFailure | undefined> => {
  const decision = await authorization.checkPermission(userId, permission);
  return decision.allowed ? undefined : ProjectFailures.permissionDenied(permission, decision.reason);
};
