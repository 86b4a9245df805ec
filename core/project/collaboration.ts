import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { Streams } from '../messaging/channels.js';
import { accessOf, authorizeAction, isMember, type ProjectAccess, type ProjectRole } from './access.js';
import type { ProjectDeps } from './deps.js';
import { documentOf, type ProjectDocument } from './document-patch.js';
import { ProjectFailures } from './errors.js';
import { collaborationEntry } from './events.js';
import type { ExpiredClient, PresentClient } from './ports.js';

export interface CollaborationInput {
  readonly projectId: string;
  readonly userId: string;
  /**
   * The gateway client (WebSocket) joining or leaving. Absent: joining records the session as
   * `api:<user id>`; leaving takes out every client of the user.
   */
  readonly clientId?: string;
}

export interface CollaborationSession {
  readonly projectId: string;
  /** `collaboration:stream:{project_id}`, where presence and edits are appended. */
  readonly streamKey: string;
  /** The users in the session after this call, in joining order. */
  readonly collaborators: readonly string[];
  /** Whether this call changed the session (false when already joined, or when leaving without having joined). */
  readonly changed: boolean;
  /** When this call took effect. */
  readonly at: number;
}

export interface JoinedSession extends CollaborationSession {
  readonly access: ProjectAccess;
  /** The client recorded in the session. */
  readonly clientId: string;
  /** Every client in the session, this one included. */
  readonly clients: readonly PresentClient[];
  /** How long the presence lasts unless the client joins again (the gateway renews it meanwhile). */
  readonly presenceTtlMs: number;
  /** The editable content as of `version`. */
  readonly document: ProjectDocument;
  readonly version: number;
}

/**
 * Joins the project's collaboration session, or renews the presence of a client already in it: for
 * its owner, editors and viewers (viewers watch; editing needs the update right, see editProject).
 * A new client appends `joined` to the collaboration stream; its presence lasts `presenceTtlMs`
 * unless renewed by joining again (docs/adr/0050).
 */
export const joinCollaboration = async (
  deps: Pick<ProjectDeps, 'projects' | 'streams' | 'clock' | 'presence' | 'presenceTtlMs'>,
  input: CollaborationInput,
): Promise<Result<JoinedSession, DomainFailure>> => {
  const allowed = authorizeAction(await deps.projects.findById(input.projectId), input.userId, 'collaborate');
  if (!allowed.ok) return allowed;
  const { project, access } = allowed.value;
  if (!isMember(access)) return err(ProjectFailures.actionNotAllowed('collaborate', access));
  const at = deps.clock.now();
  const client: PresentClient = { clientId: clientIdOf(input), userId: input.userId, role: access };
  const joined = await deps.presence.enter(input.projectId, client, at + deps.presenceTtlMs);
  // Every renewal re-adds the user: a join that raced with the user's last leave heals here.
  const change = await deps.projects.addCollaborator(input.projectId, input.userId);
  if (!change) {
    await deps.presence.leave(input.projectId, client.clientId);
    return err(ProjectFailures.projectNotFound());
  }
  const streamKey = Streams.collaboration(input.projectId);
  if (joined) await appendPresence(deps, streamKey, collaborationEntry('joined', client, at));
  return ok({
    projectId: input.projectId,
    streamKey,
    collaborators: change.collaborators,
    changed: joined || change.changed,
    at,
    access,
    clientId: client.clientId,
    clients: await deps.presence.clients(input.projectId, at),
    presenceTtlMs: deps.presenceTtlMs,
    document: documentOf(project),
    version: project.version,
  });
};

/**
 * Leaves the collaboration session: one client, or every client of the user when none is named.
 * Leaving when not joined is harmless. A user whose access was revoked while in the session may
 * still leave; anyone else who cannot read the project gets `project_not_found`.
 */
export const leaveCollaboration = async (
  deps: Pick<ProjectDeps, 'projects' | 'streams' | 'clock' | 'presence'>,
  input: CollaborationInput,
): Promise<Result<CollaborationSession, DomainFailure>> => {
  const project = await deps.projects.findById(input.projectId);
  const at = deps.clock.now();
  const present = await deps.presence.clients(input.projectId, Number.NEGATIVE_INFINITY);
  const mine = present.filter((client) => client.userId === input.userId);
  const inSession = mine.length > 0 || (project?.collaborators.includes(input.userId) ?? false);
  if (!project || (!inSession && accessOf(project, input.userId) === 'none')) return err(ProjectFailures.projectNotFound());
  const leaving = input.clientId ? mine.filter((client) => client.clientId === input.clientId) : mine;
  const streamKey = Streams.collaboration(input.projectId);
  let changed = false;
  for (const client of leaving) {
    const left = await deps.presence.leave(input.projectId, client.clientId);
    if (!left) continue;
    changed = true;
    await appendPresence(deps, streamKey, collaborationEntry('left', left, at, 'left'));
  }
  const change = await removeUserWhenGone(deps, input.projectId, input.userId);
  if (!change) return err(ProjectFailures.projectNotFound());
  return ok({ projectId: input.projectId, streamKey, collaborators: change.collaborators, changed: changed || change.changed, at });
};

/**
 * Takes out of their sessions up to `limit` clients whose presence ran out (a gateway that died, a
 * socket nobody closed), appending `left` with reason `timeout`. Safe to run on every instance at
 * once: each client is taken out once. Resolves the clients taken out.
 */
export const expireCollaborators = async (
  deps: Pick<ProjectDeps, 'projects' | 'streams' | 'clock' | 'presence'>,
  limit = 100,
): Promise<ExpiredClient[]> => {
  const at = deps.clock.now();
  const expired = await deps.presence.expire(at, limit);
  for (const { projectId, client } of expired) {
    await appendPresence(deps, Streams.collaboration(projectId), collaborationEntry('left', client, at, 'timeout'));
    await removeUserWhenGone(deps, projectId, client.userId);
  }
  return expired;
};

/** The role a session client edits or watches with. */
export const editsInSession = (role: ProjectRole): boolean => role !== 'viewer';

const clientIdOf = (input: CollaborationInput): string => (input.clientId ? input.clientId : `api:${input.userId}`);

const removeUserWhenGone = async (deps: Pick<ProjectDeps, 'projects' | 'presence'>, projectId: string, userId: string) => {
  const remaining = await deps.presence.clients(projectId, Number.NEGATIVE_INFINITY);
  if (remaining.some((client) => client.userId === userId)) {
    const project = await deps.projects.findById(projectId);
    return project && { collaborators: project.collaborators, changed: false };
  }
  return deps.projects.removeCollaborator(projectId, userId);
};

const appendPresence = async (deps: Pick<ProjectDeps, 'streams'>, streamKey: string, fields: Record<string, string>) => {
  // Trimmed to the configured retention by the store (STREAM_RETENTION_COLLABORATION).
  await deps.streams.append(streamKey, fields);
};
