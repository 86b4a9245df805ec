import { Streams } from '../../../core/messaging/channels.js';
import type { ProjectService } from '../../../core/project/index.js';
import { failure } from '../../../core/shared/errors.js';
import { err, ok } from '../../../core/shared/result.js';
import type { Logger } from '../../observability/logger.js';
import type { ProjectServiceServer } from '../generated/project.js';
import { serviceHealth } from '../service-health.js';
import { unaryHandler } from '../unary-handler.js';
import {
  getProjectResponse,
  joinResponse,
  permissionsResponse,
  projectSummary,
  projectTemplate,
} from './project-messages.js';
import {
  collaborationInput,
  createInput,
  listInput,
  listTemplatesInput,
  requireIds,
  shareInput,
  updateInput,
} from './project-requests.js';

/** A user's email by id, or undefined when it cannot be told (unknown user, auth down). */
export type EmailLookup = (userId: string) => Promise<string | undefined>;

export interface ProjectGrpcOptions {
  /** Fills ProjectPermission.email, which the project domain does not know; absent leaves it ''. */
  readonly emailOf?: EmailLookup;
  /** Per-dependency states for HealthCheck's `details`. */
  readonly healthDetails?: () => Record<string, string>;
}

/**
 * `project.ProjectService` over gRPC: each rpc is one project use case. Missing ids are
 * INVALID_ARGUMENT; a project the caller cannot read is NOT_FOUND, one it can read but not change
 * PERMISSION_DENIED (the domain's `authorizeAction`); an auth service that cannot answer the
 * permission check is UNAVAILABLE.
 */
export const projectGrpcService = (
  projects: ProjectService,
  logger: Logger,
  options: ProjectGrpcOptions = {},
): ProjectServiceServer => ({
  createProject: unaryHandler(async (request) => {
    const ids = requireIds({ user_id: request.userId });
    if (!ids.ok) return ids;
    const created = await projects.createProject(createInput(request));
    if (!created.ok) return created;
    const project = created.value;
    return {
      projectId: project.id,
      name: project.name,
      status: project.status,
      createdAt: project.createdAt,
      templateUsed: project.templateId ?? '',
    };
  }, logger),

  getProject: unaryHandler(async ({ projectId, userId, includeConfiguration }) => {
    const ids = requireIds({ project_id: projectId, user_id: userId });
    if (!ids.ok) return ids;
    const view = await projects.getProject({ projectId, userId, includeConfiguration });
    return view.ok ? ok(getProjectResponse(view.value)) : view;
  }, logger),

  updateProject: unaryHandler(async (request) => {
    const ids = requireIds({ project_id: request.projectId, user_id: request.userId });
    if (!ids.ok) return ids;
    const updated = await projects.updateProject(updateInput(request));
    return updated.ok ? ok({ project: projectSummary(updated.value, request.userId) }) : updated;
  }, logger),

  deleteProject: unaryHandler(async ({ projectId, userId }) => {
    const ids = requireIds({ project_id: projectId, user_id: userId });
    if (!ids.ok) return ids;
    const deleted = await projects.deleteProject({ projectId, userId });
    return deleted.ok ? ok({ deleted: true, projectId, deletedAt: deleted.value.deletedAt }) : deleted;
  }, logger),

  listProjects: unaryHandler(async (request) => {
    const ids = requireIds({ user_id: request.userId });
    if (!ids.ok) return ids;
    const page = await projects.listProjects(listInput(request));
    if (!page.ok) return page;
    return {
      projects: page.value.projects.map((project) => projectSummary(project, request.userId)),
      nextPageToken: page.value.nextPageToken ?? '',
      totalCount: page.value.totalCount,
    };
  }, logger),

  shareProject: unaryHandler(async (request) => {
    const ids = requireIds({ project_id: request.projectId, user_id: request.userId });
    if (!ids.ok) return ids;
    const input = shareInput(request);
    if (!input.ok) return input;
    const shared = await projects.shareProject(input.value);
    if (!shared.ok) return shared;
    const outcome = shared.value;
    return {
      shared: outcome.changed,
      projectId: outcome.projectId,
      targetUserId: outcome.targetUserId,
      role: outcome.role,
      reason: outcome.changed ? '' : `the user already has the ${outcome.role} role`,
    };
  }, logger),

  getProjectPermissions: unaryHandler(async ({ projectId, userId }) => {
    const ids = requireIds({ project_id: projectId, user_id: userId });
    if (!ids.ok) return ids;
    const view = await projects.getProjectPermissions({ projectId, userId });
    if (!view.ok) return view;
    const emails = await lookUpEmails(view.value.members.map((member) => member.userId), options.emailOf);
    return permissionsResponse(view.value, emails);
  }, logger),

  getTemplate: unaryHandler(async ({ templateId }) => {
    const template = await projects.getTemplate(templateId);
    return template.ok ? ok({ template: projectTemplate(template.value) }) : template;
  }, logger),

  listTemplates: unaryHandler(async (request) => {
    const page = await projects.listTemplates(listTemplatesInput(request));
    if (!page.ok) return page;
    return {
      templates: page.value.templates.map(projectTemplate),
      nextPageToken: page.value.nextPageToken ?? '',
      totalCount: page.value.totalCount,
    };
  }, logger),

  joinCollaboration: unaryHandler(async (request) => {
    const ids = requireIds({ project_id: request.projectId, user_id: request.userId });
    if (!ids.ok) return ids;
    const joined = await projects.joinCollaboration(collaborationInput(request));
    return joined.ok ? ok(joinResponse(joined.value)) : joined;
  }, logger),

  leaveCollaboration: unaryHandler(async (request) => {
    const ids = requireIds({ project_id: request.projectId, user_id: request.userId });
    if (!ids.ok) return ids;
    const sessionId = request.collaborationSessionId;
    if (sessionId !== '' && sessionId !== Streams.collaboration(request.projectId)) {
      return err(
        failure('invalid', 'unknown_session', 'collaboration_session_id does not name this project\'s session', [
          { field: 'collaboration_session_id', message: 'is not the session of this project' },
        ]),
      );
    }
    const left = await projects.leaveCollaboration(collaborationInput(request));
    if (!left.ok) return left;
    return { left: left.value.changed, remainingCollaborators: left.value.collaborators.length };
  }, logger),

  healthCheck: unaryHandler(async () => serviceHealth('project', options.healthDetails?.() ?? {}), logger),
});

/** Emails of the members, looked up in parallel; one that cannot be found stays out of the map. */
const lookUpEmails = async (userIds: readonly string[], emailOf?: EmailLookup): Promise<ReadonlyMap<string, string>> => {
  if (!emailOf) return new Map();
  const found = await Promise.all(userIds.map(async (userId) => [userId, await emailOf(userId).catch(() => undefined)] as const));
  return new Map(found.filter((entry): entry is readonly [string, string] => entry[1] !== undefined));
};
