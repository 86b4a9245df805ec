import { DomainFailureError } from '../shared/errors.js';
import type { ProjectDeps } from './deps.js';
import type { ProjectNotice } from './ports.js';

/**
 * Tells the collaborators' live clients (docs/adr/0052). Resolves how many took it, or undefined
 * when no gateway could answer (or none is wired): the change itself stands, and its event still
 * reaches their `/events` sockets.
 */
export const noticeCollaborators = async (
  deps: Pick<ProjectDeps, 'notices'>,
  userIds: readonly string[],
  notice: ProjectNotice,
): Promise<number | undefined> => {
  if (!deps.notices || userIds.length === 0) return undefined;
  try {
    return await deps.notices.notify(userIds, notice);
  } catch (error) {
    // Unavailable, or refused (logged by the adapter): the caller's change stands all the same.
    if (error instanceof DomainFailureError) return undefined;
    throw error;
  }
};
