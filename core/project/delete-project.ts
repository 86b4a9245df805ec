import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { EventChannels, Streams } from '../messaging/channels.js';
import { outboxEvent, outboxStreamEntry } from '../messaging/outbox.js';
import { authorizeAction } from './access.js';
import type { ProjectDeps } from './deps.js';
import { noticeCollaborators } from './collaborator-notices.js';
import { ProjectFailures } from './errors.js';
import { collaborationDeletedEntry, projectDeletedEvent } from './events.js';
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
 * role. Records `project:events:updated` (outbox, docs/adr/0038) with `change: 'deleted'`, and
 * tells the users it was shared with on their live sockets (`project_deleted`, docs/adr/0052).
 * Deleting a project that is already gone is `project_not_found`.
 */
export const deleteProject = async (
  deps: Pick<ProjectDeps, 'projects' | 'authorization' | 'clock' | 'notices'>,
  input: DeleteProjectInput,
): Promise<Result<DeletedProject, DomainFailure>> => {
  const denied = await requirePermission(deps.authorization, input.userId, ProjectPermissions.delete);
  if (denied) return err(denied);
  const allowed = authorizeAction(await deps.projects.findById(input.projectId), input.userId, 'delete');
  if (!allowed.ok) return allowed;

  const deletedAt = deps.clock.now();
  const deleted = await deps.projects.delete(input.projectId, [
    outboxEvent(EventChannels.projectUpdated, projectDeletedEvent(input.projectId, input.userId, deletedAt)),
    outboxStreamEntry(Streams.collaboration(input.projectId), collaborationDeletedEntry(input.userId, deletedAt)),
  ]);
  if (!deleted) return err(ProjectFailures.projectNotFound());
  const { project } = allowed.value;
  const collaborators = project.shares.map((share) => share.userId).filter((userId) => userId !== input.userId);
  await noticeCollaborators(deps, collaborators, {
    type: 'project_deleted',
    projectId: project.id,
    name: project.name,
    actorId: input.userId,
    at: deletedAt,
  });
  return ok({ projectId: input.projectId, deletedAt });
};
