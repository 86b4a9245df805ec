import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure, FieldViolation } from '../shared/errors.js';
import { EventChannels, Streams } from '../messaging/channels.js';
import { outboxEvent, outboxStreamEntry } from '../messaging/outbox.js';
import { stamped } from './collaborative-edit.js';
import { diffDocuments, documentOf } from './document-patch.js';
import { authorizeAction } from './access.js';
import type { ProjectDeps } from './deps.js';
import { ProjectFailures } from './errors.js';
import { collaborationEditEntry, projectModifiedEvent, type ProjectField } from './events.js';
import type { Configuration, Project, ProjectStatus } from './model.js';
import { ProjectPermissions, requirePermission } from './permissions.js';
import { checkConfiguration, checkDescription, checkName, checkStatus } from './validation.js';

/** A partial update: absent fields stay as they are. */
export interface UpdateProjectInput {
  readonly projectId: string;
  readonly userId: string;
  readonly name?: string;
  readonly description?: string;
  readonly isPublic?: boolean;
  readonly status?: ProjectStatus;
  /** Entries to set or overwrite; the other entries stay. */
  readonly configuration?: Configuration;
  /** Entries to remove (applied before `configuration`). */
  readonly removedConfigurationKeys?: readonly string[];
  /** Optimistic concurrency: when given and the project's version differs, nothing changes (`version_conflict`). */
  readonly expectedVersion?: number;
  /** As `expectedVersion`, by the project's `updatedAt` (for callers that only keep that). */
  readonly expectedUpdatedAt?: number;
}

/**
 * Updates a project. Needs `project:update` from the authorization service and the owner or editor
 * role on the project; changing `isPublic` shares the project with everyone, so it needs what sharing
 * needs: the owner role and `project:share` (an editor may send the current value). Records
 * `project:events:updated` (outbox, docs/adr/0038) naming the changed fields; an update that
 * changes nothing stores nothing and publishes nothing.
 */
export const updateProject = async (
  deps: Pick<ProjectDeps, 'projects' | 'authorization' | 'clock' | 'editWindow'>,
  input: UpdateProjectInput,
): Promise<Result<Project, DomainFailure>> => {
  const denied = await requirePermission(deps.authorization, input.userId, ProjectPermissions.update);
  if (denied) return err(denied);
  const violations = checkInput(input);
  if (violations.length > 0) return err(ProjectFailures.invalidInput(violations));

  const allowed = authorizeAction(await deps.projects.findById(input.projectId), input.userId, 'update');
  if (!allowed.ok) return allowed;
  const { project, access } = allowed.value;
  if (input.isPublic !== undefined && input.isPublic !== project.isPublic) {
    if (access !== 'owner') return err(ProjectFailures.visibilityOwnerOnly(access));
    const notSharer = await requirePermission(deps.authorization, input.userId, ProjectPermissions.share);
    if (notSharer) return err(notSharer);
  }
  const stale =
    (input.expectedVersion !== undefined && input.expectedVersion !== project.version) ||
    (input.expectedUpdatedAt !== undefined && input.expectedUpdatedAt !== project.updatedAt);
  if (stale) return err(ProjectFailures.versionConflict());

  const changed = applyChanges(project, input);
  const configurationViolations = checkConfiguration('configuration', changed.configuration);
  if (configurationViolations.length > 0) return err(ProjectFailures.invalidInput(configurationViolations));
  const changes = changedFields(project, changed);
  if (changes.length === 0) return ok(project);

  const now = deps.clock.now();
  // Collaborators apply every version in order, so each one gets an edit entry (docs/adr/0050).
  const ops = diffDocuments(documentOf(project), documentOf(changed));
  const history = stamped(project, ops, { version: project.version + 1, clientId: '' }, deps.editWindow);
  const edit = collaborationEditEntry({ version: project.version + 1, userId: input.userId, clientId: '', opId: '', ops, at: now });
  const stored = await deps.projects.update({ ...changed, ...history, updatedAt: now }, [
    outboxEvent(EventChannels.projectUpdated, projectModifiedEvent(project.id, input.userId, changes, now)),
    outboxStreamEntry(Streams.collaboration(project.id), edit),
  ]);
  if (!stored.ok) {
    return err(stored.error === 'not_found' ? ProjectFailures.projectNotFound() : ProjectFailures.versionConflict());
  }
  return ok(stored.value);
};

const checkInput = (input: UpdateProjectInput): FieldViolation[] => [
  ...(input.name === undefined ? [] : checkName('name', input.name)),
  ...(input.description === undefined ? [] : checkDescription('description', input.description)),
  ...(input.status === undefined ? [] : checkStatus('status', input.status)),
  ...(input.configuration === undefined ? [] : checkConfiguration('configuration', input.configuration)),
];

const applyChanges = (project: Project, input: UpdateProjectInput): Project => {
  const removed = new Set(input.removedConfigurationKeys ?? []);
  const kept = Object.entries(project.configuration).filter(([key]) => !removed.has(key));
  return {
    ...project,
    name: input.name?.trim() ?? project.name,
    description: input.description ?? project.description,
    isPublic: input.isPublic ?? project.isPublic,
    status: input.status ?? project.status,
    configuration: { ...Object.fromEntries(kept), ...input.configuration },
  };
};

const changedFields = (before: Project, after: Project): ProjectField[] => {
  const changes: ProjectField[] = [];
  if (before.name !== after.name) changes.push('name');
  if (before.description !== after.description) changes.push('description');
  if (!sameConfiguration(before.configuration, after.configuration)) changes.push('configuration');
  if (before.isPublic !== after.isPublic) changes.push('is_public');
  if (before.status !== after.status) changes.push('status');
  return changes;
};

const sameConfiguration = (left: Configuration, right: Configuration): boolean => {
  const leftKeys = Object.keys(left);
  return leftKeys.length === Object.keys(right).length && leftKeys.every((key) => Object.hasOwn(right, key) && left[key] === right[key]);
};
