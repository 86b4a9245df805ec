import type { FieldViolation } from '../shared/errors.js';
import { applyPatch, diffDocuments, valueAt, parsePath, type PatchOperation, type ProjectDocument } from './document-patch.js';
import type { Revision, RevisionHistory } from './model.js';
import { checkConfiguration, checkDescription, checkName } from './validation.js';

/** An edit as a collaborator sends it: operations made against the document of `baseVersion`. */
export interface CollaborativeEdit {
  readonly baseVersion: number;
  /** The collaboration client that made it: its own earlier changes never conflict with it. */
  readonly clientId: string;
  readonly ops: readonly PatchOperation[];
}

/** The stored state an edit is decided against. */
export interface EditTarget extends RevisionHistory {
  readonly document: ProjectDocument;
  readonly version: number;
  /** How many versions back an edit may be made against; revisions of older changes are pruned (docs/adr/0063). */
  readonly editWindow: number;
}

/**
 * What to do with an edit:
 * - `apply`: store `document` (as version `version + 1`) with `history`; `ops` are the changes it
 *   really makes, in canonical form (what collaborators apply); `rebased` when it was made against
 *   an older version whose later changes touched none of its paths.
 * - `unchanged`: it changes nothing (every value already as asked).
 * - `conflict`: another client changed `path` after `baseVersion`: the edit is dropped whole, and its
 *   author learns the current value (undefined: the entry is gone) and who changed it when. Made
 *   against a version older than `oldestEditableBase`, it is a conflict on its first path, whose
 *   `revision` is undefined when that change is no longer kept.
 * - `invalid`: operations that cannot apply to the current document, or a base version it never had.
 */
export type EditDecision =
  | {
      readonly kind: 'apply';
      readonly document: ProjectDocument;
      readonly ops: readonly PatchOperation[];
      readonly history: RevisionHistory;
      readonly rebased: boolean;
    }
  | { readonly kind: 'unchanged' }
  | {
      readonly kind: 'conflict';
      readonly path: string;
      readonly currentValue: string | undefined;
      readonly revision: Revision | undefined;
    }
  | { readonly kind: 'invalid'; readonly violations: readonly FieldViolation[] };

/**
 * Decides an edit against the current state (docs/adr/0050). Conflicts are per path: two editors
 * changing different entries from the same version both keep their change (the later one is rebased
 * onto the current document); the same entry changed by someone else since the edit's base version
 * is a conflict. Pure: the caller stores the outcome with an optimistic version check and decides
 * again on the new state when another write came first.
 */
export const decideEdit = (target: EditTarget, edit: CollaborativeEdit): EditDecision => {
  if (!Number.isInteger(edit.baseVersion) || edit.baseVersion < 1 || edit.baseVersion > target.version) {
    return invalid('base_version', `must be a version of this project (1..${target.version})`);
  }
  // Changes older than the window are no longer told apart: an edit made before them cannot be checked.
  const tooOld = edit.baseVersion < oldestEditableBase(target, target.editWindow);
  for (const operation of edit.ops) {
    const revision = target.revisions[operation.path];
    const changedSince = revision !== undefined && revision.version > edit.baseVersion;
    if (tooOld || (changedSince && (revision.clientId === '' || revision.clientId !== edit.clientId))) {
      const path = parsePath(operation.path);
      return { kind: 'conflict', path: operation.path, currentValue: path && valueAt(target.document, path), revision };
    }
  }
  const patched = applyPatch(target.document, edit.ops);
  if ('violations' in patched) return { kind: 'invalid', violations: patched.violations };
  const { document } = patched;
  const violations = [
    ...checkName('name', document.name),
    ...checkDescription('description', document.description),
    ...checkConfiguration('configuration', document.configuration),
  ];
  if (violations.length > 0) return { kind: 'invalid', violations };
  const ops = diffDocuments(target.document, document);
  if (ops.length === 0) return { kind: 'unchanged' };
  return {
    kind: 'apply',
    document,
    ops,
    history: stamped(target, ops, { version: target.version + 1, clientId: edit.clientId }, target.editWindow),
    rebased: edit.baseVersion < target.version,
  };
};

/**
 * The oldest version an edit may be made against: `editWindow` versions back, as far as a
 * collaborator resuming from the collaboration stream can be, and never before what was pruned
 * (a window set wider later cannot bring pruned revisions back; docs/adr/0063).
 */
export const oldestEditableBase = (project: RevisionHistory & { readonly version: number }, editWindow: number): number =>
  Math.max(1, project.version - editWindow, project.revisionsPrunedThrough);

/**
 * The history with each path of `ops` stamped by `revision` (the change stored as `revision.version`),
 * less the revisions no edit made within `editWindow` of that version is checked against: those of
 * changes `editWindow` or more versions before it. A path kept is one changed within the window, so
 * the revisions stay bounded however many configuration keys come and go.
 */
export const stamped = (
  history: RevisionHistory,
  ops: readonly PatchOperation[],
  revision: Revision,
  editWindow: number,
): RevisionHistory => {
  const prunedThrough = Math.max(history.revisionsPrunedThrough, revision.version - editWindow, 0);
  const revisions: Record<string, Revision> = {};
  for (const [path, kept] of Object.entries(history.revisions)) if (kept.version > prunedThrough) revisions[path] = kept;
  for (const operation of ops) revisions[operation.path] = revision;
  return { revisions, revisionsPrunedThrough: prunedThrough };
};

/**
 * Applies the changes of a stored version to a collaborator's copy, as every collaborator does with
 * the stream's `edit` entries: the canonical operations of `decideEdit`, which always apply.
 */
export const applyStoredOps = (document: ProjectDocument, ops: readonly PatchOperation[]): ProjectDocument =>
  ops.reduce((current, operation) => {
    const patched = applyPatch(current, [operation.op === 'replace' ? { ...operation, op: 'add' } : operation]);
    return 'document' in patched ? patched.document : current;
  }, document);

const invalid = (field: string, message: string): EditDecision => ({ kind: 'invalid', violations: [{ field, message }] });
