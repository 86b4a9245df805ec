import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { EventChannels } from '../messaging/channels.js';
import { authorizeAction } from './access.js';
import type { ProjectDeps } from './deps.js';
import { ProjectFailures } from './errors.js';
import { projectDeletedEvent } from './events.js';
import { ProjectPermissions, requirePermission } from './permissions.js';

export interface DeleteProjectInput {
  readonly projectId: string;
  readonly userId: string;
}

export interface DeletedProject {
  readonly projectId: string;
  readonly deletedAt: number;
}

/**
 * Deletes a project for good. Needs `project:delete` from the authorization service and the owner
 * role. Publishes `project:events:updated` with `change: 'deleted'`. Deleting a project that is
 * already gone is `project_not_found`.
 */
export const deleteProject = async (
  deps: Pick<ProjectDeps, 'projects' | 'authorization' | 'events' | 'clock'>,
  input: DeleteProjectInput,
): Promise<Result<DeletedProject, DomainFailure>> => {
  const denied = await requirePermission(deps.authorization, input.userId, ProjectPermissions.delete);
  if (denied) return err(denied);
  const allowed = authorizeAction(await deps.projects.findById(input.projectId), input.userId, 'delete');
  if (!allowed.ok) return allowed;

  if (!(await deps.projects.delete(input.projectId))) return err(ProjectFailures.projectNotFound());
  const deletedAt = deps.clock.now();
  await deps.events.publish(EventChannels.projectUpdated, projectDeletedEvent(input.projectId, input.userId, deletedAt));
  return ok({ projectId: input.projectId, deletedAt });
};
