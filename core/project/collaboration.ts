import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { StreamRetention, Streams } from '../messaging/channels.js';
import { accessOf, authorizeAction, type ProjectAccess } from './access.js';
import type { ProjectDeps } from './deps.js';
import { ProjectFailures } from './errors.js';
import { collaborationEntry } from './events.js';

export interface CollaborationInput {
  readonly projectId: string;
  readonly userId: string;
}

export interface CollaborationSession {
  readonly projectId: string;
  /** `collaboration:stream:{project_id}`, where presence and editing updates are appended. */
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
}

/**
 * Joins the project's collaboration session: for its owner and editors. Appends `joined` to the
 * collaboration stream when the user was not already in the session; joining twice is harmless.
 */
export const joinCollaboration = async (
  deps: Pick<ProjectDeps, 'projects' | 'streams' | 'clock'>,
  input: CollaborationInput,
): Promise<Result<JoinedSession, DomainFailure>> => {
  const allowed = authorizeAction(await deps.projects.findById(input.projectId), input.userId, 'collaborate');
  if (!allowed.ok) return allowed;
  const change = await deps.projects.addCollaborator(input.projectId, input.userId);
  if (!change) return err(ProjectFailures.projectNotFound());
  const session = await recordPresence(deps, input, 'joined', change);
  return ok({ ...session, access: allowed.value.access });
};

/**
 * Leaves the collaboration session. Leaving when not joined is harmless. A user whose access was
 * revoked while in the session may still leave; anyone else who cannot read the project gets
 * `project_not_found`.
 */
export const leaveCollaboration = async (
  deps: Pick<ProjectDeps, 'projects' | 'streams' | 'clock'>,
  input: CollaborationInput,
): Promise<Result<CollaborationSession, DomainFailure>> => {
  const project = await deps.projects.findById(input.projectId);
  const inSession = project?.collaborators.includes(input.userId) ?? false;
  if (!project || (!inSession && accessOf(project, input.userId) === 'none')) return err(ProjectFailures.projectNotFound());
  const change = await deps.projects.removeCollaborator(input.projectId, input.userId);
  if (!change) return err(ProjectFailures.projectNotFound());
  return ok(await recordPresence(deps, input, 'left', change));
};

const recordPresence = async (
  deps: Pick<ProjectDeps, 'streams' | 'clock'>,
  input: CollaborationInput,
  type: 'joined' | 'left',
  change: { readonly collaborators: readonly string[]; readonly changed: boolean },
): Promise<CollaborationSession> => {
  const streamKey = Streams.collaboration(input.projectId);
  const at = deps.clock.now();
  if (change.changed) {
    await deps.streams.append(streamKey, collaborationEntry(type, input.userId, at), {
      maxLen: StreamRetention.collaboration,
    });
  }
  return { projectId: input.projectId, streamKey, collaborators: change.collaborators, changed: change.changed, at };
};
