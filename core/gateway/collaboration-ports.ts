import type { DomainFailure } from '../shared/errors.js';
import type { Result } from '../shared/result.js';

/** The editable content of a project at one version, as the project service answers it. */
export interface CollaborationDocument {
  readonly name: string;
  readonly description: string;
  readonly configuration: Readonly<Record<string, string>>;
  readonly version: number;
}

export interface CollaborationClientView {
  readonly clientId: string;
  readonly userId: string;
  readonly role: string;
}

/** A client let into (or renewed in) a project's session. */
export interface JoinedCollaboration {
  /** "owner", "editor" or "viewer" (viewers watch). */
  readonly role: string;
  readonly streamKey: string;
  readonly clients: readonly CollaborationClientView[];
  readonly document: CollaborationDocument;
  /** The presence lasts this long unless renewed by joining again. */
  readonly presenceTtlMs: number;
}

export interface CollaborationEdit {
  readonly projectId: string;
  readonly userId: string;
  readonly clientId: string;
  readonly opId: string;
  readonly baseVersion: number;
  /** JSON Patch operations as the client sent them: the project service checks them. */
  readonly patch: readonly { readonly op: string; readonly path: string; readonly value?: string }[];
}

/** What the project service made of an edit it was allowed to judge. */
export type EditAnswer =
  | { readonly outcome: 'applied'; readonly version: number; readonly rebased: boolean }
  | { readonly outcome: 'unchanged'; readonly version: number }
  | {
      readonly outcome: 'conflict';
      readonly version: number;
      readonly path: string;
      readonly currentValue: string | undefined;
      readonly changedIn: number;
      readonly changedBy: string;
      readonly document: CollaborationDocument;
    };

/**
 * The project service's collaboration session (docs/adr/0050). Failures it answers (not found,
 * forbidden, invalid) are returned; a service that cannot answer throws `DependencyUnavailableError`.
 */
export interface ProjectCollaboration {
  /** Joins, or renews the presence of a client already in the session. */
  join(projectId: string, userId: string, clientId: string): Promise<Result<JoinedCollaboration, DomainFailure>>;
  /** Takes the client out of the session. */
  leave(projectId: string, userId: string, clientId: string): Promise<void>;
  edit(edit: CollaborationEdit): Promise<Result<EditAnswer, DomainFailure>>;
}
