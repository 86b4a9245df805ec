import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure, FieldViolation } from '../shared/errors.js';
import { EventChannels, Queues } from '../messaging/channels.js';
import { firstProjectEmailJob } from '../messaging/email-jobs.js';
import { outboxEvent, outboxJob, type OutboxMessage } from '../messaging/outbox.js';
import type { ProjectDeps } from './deps.js';
import { ProjectFailures } from './errors.js';
import { projectCreatedEvent } from './events.js';
import type { Configuration, Project } from './model.js';
import { ProjectPermissions, requirePermission } from './permissions.js';
import { findTemplate } from './templates.js';
import { checkConfiguration, checkDescription, checkName, checkRequired } from './validation.js';

export interface CreateProjectInput {
  readonly userId: string;
  readonly name: string;
  readonly description?: string;
  /** A built-in template to start from; absent or empty starts from an empty configuration. */
  readonly templateId?: string;
  /** Laid over the template's configuration, key by key. */
  readonly configuration?: Configuration;
  readonly isPublic?: boolean;
}

/**
 * Creates a project owned by the caller (the specification's project creation flow, docs/specification.md#the-three-flows): checks
 * `project:create` with the authorization service, validates, starts from the template's
 * configuration with the request's entries laid over it, and stores the project with its
 * `project:events:created` event in the outbox (docs/adr/0038): the event goes out once Redis takes it.
 * The owner's first project also sends them an email (`async:email:queue`, docs/adr/0055).
 */
export const createProject = async (
  deps: Pick<ProjectDeps, 'projects' | 'authorization' | 'clock' | 'ids'>,
  input: CreateProjectInput,
): Promise<Result<Project, DomainFailure>> => {
  const denied = await requirePermission(deps.authorization, input.userId, ProjectPermissions.create);
  if (denied) return err(denied);

  const templateId = input.templateId?.trim() || undefined;
  const template = templateId === undefined ? undefined : findTemplate(templateId);
  const configuration = { ...template?.configuration, ...input.configuration };
  const violations: FieldViolation[] = [
    ...checkRequired('userId', input.userId),
    ...checkName('name', input.name),
    ...checkDescription('description', input.description ?? ''),
    ...checkConfiguration('configuration', configuration),
  ];
  if (violations.length > 0) return err(ProjectFailures.invalidInput(violations));
  if (templateId !== undefined && !template) return err(ProjectFailures.templateNotFound(templateId));

  const now = deps.clock.now();
  const project: Project = {
    id: deps.ids.next(),
    ownerId: input.userId,
    name: input.name.trim(),
    description: input.description ?? '',
    templateId: template?.id ?? null,
    configuration,
    isPublic: input.isPublic ?? false,
    status: 'active',
    shares: [],
    collaborators: [],
    createdAt: now,
    updatedAt: now,
    version: 1,
    revisions: {},
    revisionsPrunedThrough: 0,
  };
  const outbox: OutboxMessage[] = [
    outboxEvent(EventChannels.projectCreated, projectCreatedEvent(project.id, project.ownerId, project.name, now)),
  ];
  // A first project is one whose owner has none other now: two created at once may both count (two emails).
  if (!(await deps.projects.ownsAny(input.userId))) {
    outbox.push(
      outboxJob(Queues.email, firstProjectEmailJob({ user_id: project.ownerId, project_id: project.id, project_name: project.name })),
    );
  }
  await deps.projects.create(project, outbox);
  return ok(project);
};
