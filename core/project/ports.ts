import type { OutboxMessage } from '../messaging/outbox.js';
import type { Result } from '../shared/result.js';
import type { Project, ProjectStatus } from './model.js';

/** Why a project write was not stored. Expected outcomes, returned rather than thrown. */
export type ProjectWriteConflict = 'stale_version' | 'not_found';

/**
 * Which projects a listing covers. The criteria given are alternatives (a project matching any of
 * them is listed); `status`, when given, must also match. A query with no criterion lists nothing.
 */
export interface ProjectQuery {
  /** Projects owned by this user. */
  readonly ownerId?: string;
  /** Projects with a share (any role) for this user. */
  readonly sharedWithUserId?: string;
  /** Every public project. */
  readonly includePublic?: boolean;
  readonly status?: ProjectStatus;
}

/** A position in the listing order: the last project of the previous page. */
export interface ProjectCursor {
  readonly createdAt: number;
  readonly id: string;
}

export interface ProjectPageRequest {
  /** At most this many projects (1..100). */
  readonly limit: number;
  /** Only projects after this one in the listing order; absent starts at the newest. */
  readonly after?: ProjectCursor;
}

export interface ProjectPage {
  readonly projects: Project[];
  /** How many projects match the query in all (not only on this page and after it). */
  readonly totalCount: number;
  /** The cursor of the last project on this page when more follow; absent on the last page. */
  readonly next?: ProjectCursor;
}

/** The collaborators after a collaborator change, and whether this call changed them. */
export interface CollaboratorsChange {
  readonly collaborators: readonly string[];
  readonly changed: boolean;
}

/**
 * Every write takes `outbox`: the messages that follow it, recorded in the same transaction as the
 * change and only when the change is stored (docs/adr/0038), under the aggregate `project:<id>`.
 */
export interface ProjectRepository {
  /** Stores a new project as given, with its outbox messages. A duplicate `id` is a fault (rejects). */
  create(project: Project, outbox?: readonly OutboxMessage[]): Promise<void>;
  /** The project with this id, or undefined. Returns a copy: changing it changes nothing stored. */
  findById(id: string): Promise<Project | undefined>;
  /**
   * Replaces the stored project when its stored `version` still equals `project.version`, storing
   * and returning it with `version + 1`. A stale version gives `stale_version` and stores nothing
   * (the caller re-reads and decides); an unknown id gives `not_found`. `collaborators` is not
   * written: the stored list is kept, so a concurrent join is never lost.
   */
  update(project: Project, outbox?: readonly OutboxMessage[]): Promise<Result<Project, ProjectWriteConflict>>;
  /** Removes the project. Idempotent: resolves true only when a project was removed (and only then records `outbox`). */
  delete(id: string, outbox?: readonly OutboxMessage[]): Promise<boolean>;
  /**
   * One page of the projects matching `query`, newest first: by `createdAt` descending, ties by
   * `id` descending compared code unit by code unit (SQL: `COLLATE "C"`). Paging by cursor is
   * stable: projects created or deleted between two calls neither repeat nor skip the others.
   */
  list(query: ProjectQuery, page: ProjectPageRequest): Promise<ProjectPage>;
  /** Whether the user owns at least one project, of any status: one indexed lookup, no listing. */
  ownsAny(ownerId: string): Promise<boolean>;
  /**
   * Adds the user to the project's collaborators (at the end) unless already there; atomic, and
   * `version` and `updatedAt` stay as they are. Undefined for an unknown project.
   */
  addCollaborator(projectId: string, userId: string): Promise<CollaboratorsChange | undefined>;
  /** Removes the user from the collaborators, as `addCollaborator`. Removing an absent user changes nothing. */
  removeCollaborator(projectId: string, userId: string): Promise<CollaboratorsChange | undefined>;
}

/**
 * User-level permissions (`project:create`, `project:update`, ...) as the auth service grants them
 * by role: the shared `AuthorizationPort`. Project-level access (owner, shares) is the project
 * domain's own business.
 */
export type { AuthorizationPort, PermissionDecision } from '../shared/authorization.js';

/** Who the users are, as far as sharing needs to know. */
export interface UserDirectory {
  /** The id of the active user with this email, compared case-insensitively; undefined when none. */
  findUserIdByEmail(email: string): Promise<string | undefined>;
  /** Whether an active user has this id. */
  userExists(userId: string): Promise<boolean>;
}

/** A client in a project's collaboration session. */
export interface PresentClient {
  /** The gateway client (its WebSocket), or `api:<user id>` for a session joined without one. */
  readonly clientId: string;
  readonly userId: string;
  /** The user's role when it joined: editors and the owner edit, viewers watch. */
  readonly role: 'owner' | 'editor' | 'viewer';
}

/** A client whose time ran out, with its project. */
export interface ExpiredClient {
  readonly projectId: string;
  readonly client: PresentClient;
}

/**
 * Who is in each project's collaboration session, per client, kept while renewed (docs/adr/0050).
 * Shared by every instance of the project service (on the mesh's Redis when it runs on Redis).
 */
export interface CollaborationPresence {
  /**
   * Puts the client in the session until `expiresAt` (epoch ms), or moves its expiry when it is there.
   * Resolves true when it was not there (a join), false for a renewal.
   */
  enter(projectId: string, client: PresentClient, expiresAt: number): Promise<boolean>;
  /** Takes the client out; resolves it to exactly one of concurrent callers, undefined to the others and when it was not there. */
  leave(projectId: string, clientId: string): Promise<PresentClient | undefined>;
  /** The clients in the session whose expiry is after `now`, ordered by client id. */
  clients(projectId: string, now: number): Promise<PresentClient[]>;
  /**
   * Takes out up to `limit` clients whose expiry is at or before `now`, across all projects; each
   * goes to exactly one caller, however many instances sweep at once.
   */
  expire(now: number, limit: number): Promise<ExpiredClient[]>;
}

/** A notice to the people of a project (docs/adr/0052). */
export interface ProjectNotice {
  readonly type: 'project_deleted';
  readonly projectId: string;
  readonly name: string;
  /** Who did it. */
  readonly actorId: string;
  /** Epoch ms. */
  readonly at: number;
}

/** The collaborators' live clients, reached through the gateways. */
export interface CollaboratorNotices {
  /**
   * Delivers `notice` to the `/events` sockets of each of `userIds` on every gateway instance;
   * resolves how many sockets took it. Throws `DependencyUnavailableError` when no gateway can answer.
   */
  notify(userIds: readonly string[], notice: ProjectNotice): Promise<number>;
}
