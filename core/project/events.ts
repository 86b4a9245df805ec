import type { DomainEvent } from '../messaging/events.js';
import type { StreamFields } from '../messaging/streams.js';
import type { PatchOperation } from './document-patch.js';
import type { ShareRole } from './model.js';

/** Payloads of the project event channels (EventChannels.project*), snake_case as on the wire. */

/** Field names as they appear in `ProjectUpdatedEvent.changes`. */
export type ProjectField = 'name' | 'description' | 'configuration' | 'is_public' | 'status';

export interface ProjectCreatedEvent extends DomainEvent {
  readonly type: 'created';
  readonly project_id: string;
  readonly user_id: string;
  readonly name: string;
}

/** `change` tells a modification (with the changed fields) from a deletion. */
export type ProjectUpdatedEvent = DomainEvent & {
  readonly type: 'updated';
  readonly project_id: string;
  /** Who made the change. */
  readonly user_id: string;
} & ({ readonly change: 'modified'; readonly changes: readonly ProjectField[] } | { readonly change: 'deleted' });

export interface ProjectSharedEvent extends DomainEvent {
  readonly type: 'shared';
  readonly project_id: string;
  /** The owner, who shared. */
  readonly user_id: string;
  readonly target_user_id: string;
  readonly role: ShareRole;
}

export const projectCreatedEvent = (projectId: string, userId: string, name: string, at: number): ProjectCreatedEvent => ({
  type: 'created',
  project_id: projectId,
  user_id: userId,
  name,
  timestamp: at,
});

export const projectModifiedEvent = (
  projectId: string,
  userId: string,
  changes: readonly ProjectField[],
  at: number,
): ProjectUpdatedEvent => ({
  type: 'updated',
  project_id: projectId,
  user_id: userId,
  change: 'modified',
  changes: [...changes],
  timestamp: at,
});

export const projectDeletedEvent = (projectId: string, userId: string, at: number): ProjectUpdatedEvent => ({
  type: 'updated',
  project_id: projectId,
  user_id: userId,
  change: 'deleted',
  timestamp: at,
});

export const projectSharedEvent = (
  projectId: string,
  ownerId: string,
  targetUserId: string,
  role: ShareRole,
  at: number,
): ProjectSharedEvent => ({
  type: 'shared',
  project_id: projectId,
  user_id: ownerId,
  target_user_id: targetUserId,
  role,
  timestamp: at,
});

/** Entries of `notifications:stream:{user_id}` written by the project service (stream fields are strings). */
export const projectSharedNotification = (input: {
  readonly projectId: string;
  readonly projectName: string;
  readonly role: ShareRole;
  readonly fromUserId: string;
  readonly at: number;
}): StreamFields => ({
  type: 'project_shared',
  project_id: input.projectId,
  project_name: input.projectName,
  role: input.role,
  from_user_id: input.fromUserId,
  timestamp: String(input.at),
});

/** Entries of `collaboration:stream:{project_id}` marking presence (docs/adr/0050). */
export const collaborationEntry = (
  type: 'joined' | 'left',
  client: { readonly clientId: string; readonly userId: string; readonly role: string },
  at: number,
  reason?: 'left' | 'timeout',
): StreamFields => ({
  type,
  user_id: client.userId,
  client_id: client.clientId,
  role: client.role,
  ...(reason ? { reason } : {}),
  timestamp: String(at),
});

/**
 * The `edit` entry of one stored version of a project: the canonical operations that turn the
 * previous version into this one (none when only visibility or status changed), who made them,
 * and the client's `op_id`. Collaborators apply these in version order (docs/adr/0050).
 */
export const collaborationEditEntry = (edit: {
  readonly version: number;
  readonly userId: string;
  readonly clientId: string;
  readonly opId: string;
  readonly ops: readonly PatchOperation[];
  readonly at: number;
}): StreamFields => ({
  type: 'edit',
  version: String(edit.version),
  user_id: edit.userId,
  client_id: edit.clientId,
  op_id: edit.opId,
  ops: JSON.stringify(edit.ops),
  timestamp: String(edit.at),
});

/** The last entry of a deleted project's collaboration stream. */
export const collaborationDeletedEntry = (userId: string, at: number): StreamFields => ({
  type: 'deleted',
  user_id: userId,
  timestamp: String(at),
});
