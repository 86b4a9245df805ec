import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import { EventChannels, Streams } from '../messaging/channels.js';
import { outboxEvent, outboxStreamEntry } from '../messaging/outbox.js';
import { accessOf, authorizeAction } from './access.js';
import { decideEdit } from './collaborative-edit.js';
import type { ProjectDeps } from './deps.js';
import { documentOf, parsePatch, type PatchOperation, type ProjectDocument } from './document-patch.js';
import { ProjectFailures } from './errors.js';
import { collaborationEditEntry, projectModifiedEvent, type ProjectField } from './events.js';
import type { Project } from './model.js';
import { ProjectPermissions, requirePermission } from './permissions.js';

export interface EditProjectInput {
  readonly projectId: string;
  readonly userId: string;
  /** The collaboration client sending the edit. */
  readonly clientId: string;
  /** The client's id for this edit, echoed in its answer and on the stream. */
  readonly opId: string;
  /** The version the operations were made against. */
  readonly baseVersion: number;
  /** JSON Patch operations as received; checked here. */
  readonly patch: unknown;
}

/** What became of an edit the caller was allowed to make. */
export type EditOutcome =
  | { readonly kind: 'applied'; readonly version: number; readonly ops: readonly PatchOperation[]; readonly rebased: boolean }
  | { readonly kind: 'unchanged'; readonly version: number }
  | {
      readonly kind: 'conflict';
      readonly path: string;
      /** The value at `path` now; undefined when the entry is gone. */
      readonly currentValue: string | undefined;
      /**
       * The version that last changed `path`, and by which client; 0 and '' when the edit was made
       * against a version older than the edit window and that change is no longer kept (docs/adr/0063).
       */
      readonly changedIn: number;
      readonly changedBy: string;
      /** The whole current state, for the author to start again from. */
      readonly document: ProjectDocument;
      readonly version: number;
    };

/** Writes that came first and forced a new decision, before the edit is given up as a fault. */
const MAX_ATTEMPTS = 8;

/**
 * A collaborator's edit (docs/adr/0050): JSON Patch operations on the name, description and
 * configuration entries, made against `baseVersion`. Needs `project:update` and the owner or editor
 * role (a viewer watches: `action_not_allowed`). Decided by `decideEdit` on the stored state and
 * stored with the optimistic version check; when another write came first it is decided again on the
 * new state. A stored edit records `project:events:updated` and its `edit` entry on
 * `collaboration:stream:{project_id}` through the outbox, in version order.
 */
export const editProject = async (
  deps: Pick<ProjectDeps, 'projects' | 'authorization' | 'clock' | 'editWindow'>,
  input: EditProjectInput,
): Promise<Result<EditOutcome, DomainFailure>> => {
  const denied = await requirePermission(deps.authorization, input.userId, ProjectPermissions.update);
  if (denied) return err(denied);
  const parsed = parsePatch(input.patch);
  if ('violations' in parsed) return err(ProjectFailures.invalidInput(parsed.violations));

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const found = await deps.projects.findById(input.projectId);
    const allowed = authorizeAction(found, input.userId, 'update');
    if (!allowed.ok) {
      return found && allowed.error.code === 'action_not_allowed' ? err(ProjectFailures.watchOnly(accessOf(found, input.userId))) : allowed;
    }
    const { project } = allowed.value;
    const decision = decideEdit(
      {
        document: documentOf(project),
        version: project.version,
        revisions: project.revisions,
        revisionsPrunedThrough: project.revisionsPrunedThrough,
        editWindow: deps.editWindow,
      },
      { baseVersion: input.baseVersion, clientId: input.clientId, ops: parsed.ops },
    );
    switch (decision.kind) {
      case 'invalid':
        return err(ProjectFailures.invalidInput(decision.violations));
      case 'unchanged':
        return ok({ kind: 'unchanged', version: project.version });
      case 'conflict':
        return ok({
          kind: 'conflict',
          path: decision.path,
          currentValue: decision.currentValue,
          changedIn: decision.revision?.version ?? 0,
          changedBy: decision.revision?.clientId ?? '',
          document: documentOf(project),
          version: project.version,
        });
      case 'apply': {
        const at = deps.clock.now();
        const next: Project = { ...project, ...decision.document, ...decision.history, updatedAt: at };
        const stored = await deps.projects.update(next, [
          outboxEvent(EventChannels.projectUpdated, projectModifiedEvent(project.id, input.userId, fieldsOf(decision.ops), at)),
          outboxStreamEntry(
            Streams.collaboration(project.id),
            collaborationEditEntry({
              version: project.version + 1,
              userId: input.userId,
              clientId: input.clientId,
              opId: input.opId,
              ops: decision.ops,
              at,
            }),
          ),
        ]);
        if (stored.ok) return ok({ kind: 'applied', version: stored.value.version, ops: decision.ops, rebased: decision.rebased });
        if (stored.error === 'not_found') return err(ProjectFailures.projectNotFound());
      }
    }
  }
  return err(ProjectFailures.versionConflict());
};

/** The fields of `project:events:updated` that operations change. */
export const fieldsOf = (ops: readonly PatchOperation[]): ProjectField[] => {
  const fields = new Set<ProjectField>();
  for (const { path } of ops) fields.add(path === '/name' ? 'name' : path === '/description' ? 'description' : 'configuration');
  return [...fields];
};
