import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { ProjectFailures } from './errors.js';
import { shareOf, type Project, type ShareRole } from './model.js';

/** A user's role on a project: its owner, or the role of a share with them. */
export type ProjectRole = 'owner' | ShareRole;

/** How a user reaches a project: by a role, by its being public, or not at all. */
export type ProjectAccess = ProjectRole | 'public' | 'none';

export const ProjectActions = ['read', 'update', 'delete', 'share', 'collaborate'] as const;
export type ProjectAction = (typeof ProjectActions)[number];

/**
 * The access rules. The owner may do everything; an editor reads, updates and joins the
 * collaboration session; a viewer reads and joins the session to watch it; any authenticated user
 * reads a public project; nobody else may do anything.
 */
export const AccessActions: Readonly<Record<ProjectAccess, readonly ProjectAction[]>> = {
  owner: ProjectActions,
  editor: ['read', 'update', 'collaborate'],
  viewer: ['read', 'collaborate'],
  public: ['read'],
  none: [],
};

/** The strongest way `userId` reaches `project`. */
export const accessOf = (project: Pick<Project, 'ownerId' | 'shares' | 'isPublic'>, userId: string): ProjectAccess => {
  if (project.ownerId === userId) return 'owner';
  const share = shareOf(project, userId);
  if (share) return share.role;
  return project.isPublic ? 'public' : 'none';
};

export const allowedActions = (project: Pick<Project, 'ownerId' | 'shares' | 'isPublic'>, userId: string): readonly ProjectAction[] =>
  AccessActions[accessOf(project, userId)];

export const can = (project: Pick<Project, 'ownerId' | 'shares' | 'isPublic'>, userId: string, action: ProjectAction): boolean =>
  allowedActions(project, userId).includes(action);

/** Whether the access is a role (owner or share), as opposed to reading a public project or nothing. */
export const isMember = (access: ProjectAccess): access is ProjectRole => access === 'owner' || access === 'editor' || access === 'viewer';

/**
 * The project when `userId` may perform `action` on it, with the user's access.
 *
 * Denials do not reveal what the caller may not know: a missing project and a project the caller
 * cannot even read both give `project_not_found`, so probing ids tells nothing about private
 * projects. A caller who can read the project but not perform `action` gets `action_not_allowed`
 * (forbidden), since it already knows the project exists.
 */
export const authorizeAction = (
  project: Project | undefined,
  userId: string,
  action: ProjectAction,
): Result<{ readonly project: Project; readonly access: ProjectAccess }, DomainFailure> => {
  if (!project) return err(ProjectFailures.projectNotFound());
  const access = accessOf(project, userId);
  const actions = AccessActions[access];
  if (!actions.includes('read')) return err(ProjectFailures.projectNotFound());
  if (!actions.includes(action)) return err(ProjectFailures.actionNotAllowed(action, access));
  return ok({ project, access });
};
