import type { FieldViolation } from '../shared/errors.js';
import type { Configuration } from './model.js';

/**
 * The editable content of a project as collaborators see it, and JSON Patch (RFC 6902) operations
 * on it: `add`, `replace` and `remove` on `/name`, `/description` and `/configuration/<key>`
 * (RFC 6901 pointers: `~1` for `/`, `~0` for `~` in a key). Values are strings, as on the wire.
 */

export interface ProjectDocument {
  readonly name: string;
  readonly description: string;
  readonly configuration: Configuration;
}

export const PatchOps = ['add', 'replace', 'remove'] as const;
export type PatchOp = (typeof PatchOps)[number];

export type PatchOperation =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: string }
  | { readonly op: 'remove'; readonly path: string };

/** Where an operation points. */
export type DocumentPath =
  | { readonly field: 'name' }
  | { readonly field: 'description' }
  | { readonly field: 'configuration'; readonly key: string };

/** At most this many operations in one edit. */
export const MAX_PATCH_OPERATIONS = 100;

const CONFIGURATION_PREFIX = '/configuration/';

/** The path an RFC 6901 pointer names, or undefined for anything outside the editable content. */
export const parsePath = (pointer: string): DocumentPath | undefined => {
  if (pointer === '/name') return { field: 'name' };
  if (pointer === '/description') return { field: 'description' };
  if (!pointer.startsWith(CONFIGURATION_PREFIX)) return undefined;
  const raw = pointer.slice(CONFIGURATION_PREFIX.length);
  if (raw === '' || raw.includes('/') || /~[^01]|~$/.test(raw)) return undefined;
  return { field: 'configuration', key: raw.replaceAll('~1', '/').replaceAll('~0', '~') };
};

/** The canonical pointer of a path. */
export const pointerOf = (path: DocumentPath): string =>
  path.field === 'configuration' ? CONFIGURATION_PREFIX + path.key.replaceAll('~', '~0').replaceAll('/', '~1') : `/${path.field}`;

/** The value at a path; undefined for a configuration key that is not there. */
export const valueAt = (document: ProjectDocument, path: DocumentPath): string | undefined =>
  path.field === 'configuration'
    ? Object.hasOwn(document.configuration, path.key)
      ? document.configuration[path.key]
      : undefined
    : document[path.field];

/**
 * Checks the shape of operations as received (any JSON): a known `op`, an editable `path`, a string
 * `value` for add and replace. Returns them with canonical pointers, or the violations (field
 * `patch[i]...`). What the operations do to a document is checked by `applyPatch`.
 */
export const parsePatch = (input: unknown): { readonly ops: PatchOperation[] } | { readonly violations: FieldViolation[] } => {
  if (!Array.isArray(input) || input.length === 0)
    return { violations: [{ field: 'patch', message: 'must be a non-empty list of operations' }] };
  if (input.length > MAX_PATCH_OPERATIONS) {
    return { violations: [{ field: 'patch', message: `must have at most ${MAX_PATCH_OPERATIONS} operations` }] };
  }
  const ops: PatchOperation[] = [];
  const violations: FieldViolation[] = [];
  input.forEach((item: unknown, index) => {
    const field = `patch[${index}]`;
    const { op, path, value } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof op !== 'string' || !(PatchOps as readonly string[]).includes(op)) {
      violations.push({ field: `${field}.op`, message: `must be one of ${PatchOps.join(', ')}` });
      return;
    }
    const parsed = typeof path === 'string' ? parsePath(path) : undefined;
    if (!parsed) {
      violations.push({ field: `${field}.path`, message: 'must be /name, /description or /configuration/<key>' });
      return;
    }
    if (op === 'remove') {
      if (parsed.field !== 'configuration') violations.push({ field: `${field}.op`, message: 'only configuration entries can be removed' });
      else ops.push({ op, path: pointerOf(parsed) });
      return;
    }
    if (typeof value !== 'string') violations.push({ field: `${field}.value`, message: 'must be text' });
    else ops.push({ op: op as 'add' | 'replace', path: pointerOf(parsed), value });
  });
  return violations.length > 0 ? { violations } : { ops };
};

/**
 * Applies operations in order as RFC 6902 does: `replace` and `remove` need the target to exist,
 * `add` creates or overwrites. The first operation that cannot apply gives its violation and no
 * document. Names are trimmed, as every write of a name is.
 */
export const applyPatch = (
  document: ProjectDocument,
  ops: readonly PatchOperation[],
): { readonly document: ProjectDocument } | { readonly violations: FieldViolation[] } => {
  let name = document.name;
  let description = document.description;
  const configuration: Record<string, string> = { ...document.configuration };
  for (const [index, operation] of ops.entries()) {
    const path = parsePath(operation.path);
    if (!path) return { violations: [{ field: `patch[${index}].path`, message: 'is not editable' }] };
    if (path.field === 'name' || path.field === 'description') {
      if (operation.op === 'remove')
        return { violations: [{ field: `patch[${index}].op`, message: 'only configuration entries can be removed' }] };
      if (path.field === 'name') name = operation.value.trim();
      else description = operation.value;
      continue;
    }
    const exists = Object.hasOwn(configuration, path.key);
    if (operation.op !== 'add' && !exists) {
      return { violations: [{ field: `patch[${index}].path`, message: `configuration has no entry '${path.key}'` }] };
    }
    if (operation.op === 'remove') delete configuration[path.key];
    else configuration[path.key] = operation.value;
  }
  return { document: { name, description, configuration } };
};

/** The operations that turn `before` into `after` (replace for changed fields and entries, add for new entries, remove for gone ones). */
export const diffDocuments = (before: ProjectDocument, after: ProjectDocument): PatchOperation[] => {
  const ops: PatchOperation[] = [];
  if (before.name !== after.name) ops.push({ op: 'replace', path: '/name', value: after.name });
  if (before.description !== after.description) ops.push({ op: 'replace', path: '/description', value: after.description });
  for (const [key, value] of Object.entries(after.configuration)) {
    const path = pointerOf({ field: 'configuration', key });
    if (!Object.hasOwn(before.configuration, key)) ops.push({ op: 'add', path, value });
    else if (before.configuration[key] !== value) ops.push({ op: 'replace', path, value });
  }
  for (const key of Object.keys(before.configuration)) {
    if (!Object.hasOwn(after.configuration, key)) ops.push({ op: 'remove', path: pointerOf({ field: 'configuration', key }) });
  }
  return ops;
};

export const documentOf = (project: ProjectDocument): ProjectDocument => ({
  name: project.name,
  description: project.description,
  configuration: { ...project.configuration },
});
