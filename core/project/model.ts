/** The project domain's entities. Times are epoch milliseconds from the injected Clock. */

export const ShareRoles = ['viewer', 'editor'] as const;
/** What a share grants: a viewer reads; an editor also updates and joins the collaboration session. */
export type ShareRole = (typeof ShareRoles)[number];
export const isShareRole = (value: unknown): value is ShareRole => (ShareRoles as readonly unknown[]).includes(value);

export const ProjectStatuses = ['active', 'archived'] as const;
export type ProjectStatus = (typeof ProjectStatuses)[number];
export const isProjectStatus = (value: unknown): value is ProjectStatus => (ProjectStatuses as readonly unknown[]).includes(value);

/**
 * A simulation configuration as it travels on the wire: string keys to string values. The project
 * domain checks only its size limits; the simulation domain parses and validates the values.
 */
export type Configuration = Readonly<Record<string, string>>;

export interface ProjectShare {
  readonly userId: string;
  readonly role: ShareRole;
  /** When the current role was granted (re-sharing with another role resets it). */
  readonly sharedAt: number;
}

/** Who last changed one editable path of a project, and in which version (see collaborative-edit.ts). */
export interface Revision {
  /** The project version the change was stored as. */
  readonly version: number;
  /** The collaboration client that made it; '' for a change from outside a session (UpdateProject). */
  readonly clientId: string;
}

/**
 * The last change of each editable path (`/name`, `/description`, `/configuration/<key>`), removed
 * configuration keys included: what an edit made against an older version is checked against.
 */
export type Revisions = Readonly<Record<string, Revision>>;

/** What an edit made against an older version is checked against (docs/adr/0050, 0063). */
export interface RevisionHistory {
  /** The last change of each path changed after `revisionsPrunedThrough`. */
  readonly revisions: Revisions;
  /**
   * The revisions of changes in this version or before were pruned (0: none was): an edit made
   * against an earlier version can no longer be checked. Never decreases.
   */
  readonly revisionsPrunedThrough: number;
}

export interface Project extends RevisionHistory {
  readonly id: string;
  readonly ownerId: string;
  /** Trimmed, 1..100 characters. */
  readonly name: string;
  /** At most 2000 characters; empty when none. */
  readonly description: string;
  /** The template the project was created from, or null. */
  readonly templateId: string | null;
  readonly configuration: Configuration;
  /** A public project can be read by every authenticated user. */
  readonly isPublic: boolean;
  readonly status: ProjectStatus;
  /** At most one share per user, never the owner, in the order they were first shared. */
  readonly shares: readonly ProjectShare[];
  /**
   * Users currently in the project's collaboration session, in joining order. Presence, not
   * content: it changes through the repository's collaborator methods and leaves `version` and
   * `updatedAt` alone.
   */
  readonly collaborators: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Optimistic-concurrency version: 1 on creation, +1 on every stored update. */
  readonly version: number;
}

export const shareOf = (project: Pick<Project, 'shares'>, userId: string): ProjectShare | undefined =>
  project.shares.find((share) => share.userId === userId);

/** The shares with `userId`'s share set to `role` (added at the end when new). */
export const withShare = (shares: readonly ProjectShare[], userId: string, role: ShareRole, at: number): ProjectShare[] => {
  const share: ProjectShare = { userId, role, sharedAt: at };
  return shares.some((existing) => existing.userId === userId)
    ? shares.map((existing) => (existing.userId === userId ? share : existing))
    : [...shares, share];
};
