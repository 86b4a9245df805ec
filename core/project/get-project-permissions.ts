import { ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { AccessActions, authorizeAction, isMember, type ProjectAccess, type ProjectAction, type ProjectRole } from './access.js';
import type { ProjectDeps } from './deps.js';

export interface ProjectMember {
  readonly userId: string;
  readonly role: ProjectRole;
  /** Creation time for the owner, the share time for the others. */
  readonly grantedAt: number;
  readonly actions: readonly ProjectAction[];
}

export interface ProjectPermissionsView {
  readonly projectId: string;
  readonly ownerId: string;
  /** The owner first, then the shares in the order they were made. Only the owner for non-members. */
  readonly members: readonly ProjectMember[];
  /** The caller's own access and what it allows. */
  readonly caller: {
    readonly userId: string;
    readonly access: ProjectAccess;
    readonly actions: readonly ProjectAction[];
  };
}

export interface GetProjectPermissionsInput {
  readonly projectId: string;
  readonly userId: string;
}

/**
 * Who can access a project and how, for any caller who can read it. Readers of a public project
 * see the owner and their own access, not the list of shares.
 */
export const getProjectPermissions = async (
  deps: Pick<ProjectDeps, 'projects'>,
  input: GetProjectPermissionsInput,
): Promise<Result<ProjectPermissionsView, DomainFailure>> => {
  const allowed = authorizeAction(await deps.projects.findById(input.projectId), input.userId, 'read');
  if (!allowed.ok) return allowed;
  const { project, access } = allowed.value;
  const owner: ProjectMember = {
    userId: project.ownerId,
    role: 'owner',
    grantedAt: project.createdAt,
    actions: AccessActions.owner,
  };
  const shared = project.shares.map(
    (share): ProjectMember => ({
      userId: share.userId,
      role: share.role,
      grantedAt: share.sharedAt,
      actions: AccessActions[share.role],
    }),
  );
  return ok({
    projectId: project.id,
    ownerId: project.ownerId,
    members: isMember(access) ? [owner, ...shared] : [owner],
    caller: { userId: input.userId, access, actions: AccessActions[access] },
  });
};
