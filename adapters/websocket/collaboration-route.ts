import { CollaborationSessions, isCollaborationProjectId } from '../../core/gateway/index.js';
import { isEntryId } from '../../core/messaging/stream-ids.js';
import { failure } from '../../core/shared/errors.js';
import { err } from '../../core/shared/result.js';
import type { SocketRoute } from './socket-route.js';

export const COLLABORATION_PATH = '/collaboration';

/**
 * `/collaboration?project_id=...[&last_id=...]`: a project's collaboration session over the hub
 * (docs/adr/0050). The protocol is CollaborationSessions'; this only reads the query.
 */
export const collaborationRoute = (sessions: CollaborationSessions): SocketRoute => ({
  path: COLLABORATION_PATH,
  open: async ({ clientId, identity, connection, url }) => {
    const projectId = url.searchParams.get('project_id') ?? '';
    if (!isCollaborationProjectId(projectId)) {
      return err(failure('invalid', 'project_id_required', 'project_id (letters, digits, ._:-) is required'));
    }
    const lastId = url.searchParams.get('last_id') ?? '';
    if (lastId !== '' && !isEntryId(lastId)) return err(failure('invalid', 'bad_last_id', 'last_id must be a stream entry id, <ms>-<seq>'));
    return sessions.open({ clientId, identity, connection, projectId, ...(lastId === '' ? {} : { lastId }) });
  },
});
