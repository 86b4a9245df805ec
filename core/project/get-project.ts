import { ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { authorizeAction, isMember, type ProjectAccess } from './access.js';
import type { ProjectDeps } from './deps.js';
import type { Configuration, Project } from './model.js';

export interface GetProjectInput {
  readonly projectId: string;
  readonly userId: string;
  /** Include the configuration (it can be large). Default false. */
  readonly includeConfiguration?: boolean;
}

/**
 * A project as one caller may see it: `configuration` only when asked for, and `shares` only for
 * members (owner, editors, viewers); a reader of a public project does not learn who else has access.
 */
export type ProjectView = Omit<Project, 'configuration'> & {
  readonly configuration?: Configuration;
  /** How the caller reaches the project. */
  readonly access: ProjectAccess;
};

export const toProjectView = (project: Project, access: ProjectAccess, includeConfiguration: boolean): ProjectView => {
  const { configuration, ...rest } = project;
  return {
    ...rest,
    shares: isMember(access) ? project.shares : [],
    ...(includeConfiguration ? { configuration } : {}),
    access,
  };
};

/** The project when the caller may read it; `project_not_found` otherwise (see `authorizeAction`). */
export const getProject = async (
  deps: Pick<ProjectDeps, 'projects'>,
  input: GetProjectInput,
): Promise<Result<ProjectView, DomainFailure>> => {
  const allowed = authorizeAction(await deps.projects.findById(input.projectId), input.userId, 'read');
  if (!allowed.ok) return allowed;
  const { project, access } = allowed.value;
  return ok(toProjectView(project, access, input.includeConfiguration ?? false));
};
