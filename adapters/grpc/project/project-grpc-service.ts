import { Streams } from '../../../core/messaging/channels.js';
import type { Project, ProjectService } from '../../../core/project/index.js';
import type { AnswersFromWrites } from '../idempotent-write-handlers.js';
import { failure } from '../../../core/shared/errors.js';
import { err, ok } from '../../../core/shared/result.js';
import type { Logger } from '../../observability/logger.js';
import type { ProjectServiceServer } from '../generated/project.js';
import { serviceHealth } from '../service-health.js';
import { unaryHandler } from '../unary-handler.js';
import {
  createProjectResponse,
  deleteProjectResponse,
  editProjectResponse,
  getProjectResponse,
  getTemplateResponse,
  joinResponse,
  leaveResponse,
  listProjectsResponse,
  listTemplatesResponse,
  lookUpEmails,
  permissionsResponse,
  shareProjectResponse,
  updateProjectResponse,
  type EmailLookup,
} from './project-messages.js';
import {
  collaborationInput,
  createInput,
  editInput,
  listInput,
  listTemplatesInput,
  requireIds,
  shareInput,
  updateInput,
} from './project-requests.js';

export type { EmailLookup } from './project-messages.js';

/**
 * CreateProject answers with the project it stored, as `createProject` below does: the answer is
 * remembered in the same transaction as the project (docs/adr/0058). The repository hands over the
 * Project it wrote.
 */
export const projectAnswersFromWrites: AnswersFromWrites = {
  createProject: (written) => createProjectResponse(written as Project),
};

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
export const projectGrpcService = (projects: ProjectService, logger: Logger, options: ProjectGrpcOptions = {}): ProjectServiceServer => ({
  createProject: unaryHandler(async (request) => {
    const ids = requireIds({ user_id: request.userId });
    if (!ids.ok) return ids;
    const created = await projects.createProject(createInput(request));
    return created.ok ? ok(createProjectResponse(created.value)) : created;
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
    return updated.ok ? ok(updateProjectResponse(updated.value, request.userId)) : updated;
  }, logger),

  deleteProject: unaryHandler(async ({ projectId, userId }) => {
    const ids = requireIds({ project_id: projectId, user_id: userId });
    if (!ids.ok) return ids;
    const deleted = await projects.deleteProject({ projectId, userId });
    return deleted.ok ? ok(deleteProjectResponse(deleted.value)) : deleted;
  }, logger),

  listProjects: unaryHandler(async (request) => {
    const ids = requireIds({ user_id: request.userId });
    if (!ids.ok) return ids;
    const page = await projects.listProjects(listInput(request));
    return page.ok ? ok(listProjectsResponse(page.value, request.userId)) : page;
  }, logger),

  shareProject: unaryHandler(async (request) => {
    const ids = requireIds({ project_id: request.projectId, user_id: request.userId });
    if (!ids.ok) return ids;
    const input = shareInput(request);
    if (!input.ok) return input;
    const shared = await projects.shareProject(input.value);
    return shared.ok ? ok(shareProjectResponse(shared.value)) : shared;
  }, logger),

  getProjectPermissions: unaryHandler(async ({ projectId, userId }) => {
    const ids = requireIds({ project_id: projectId, user_id: userId });
    if (!ids.ok) return ids;
    const view = await projects.getProjectPermissions({ projectId, userId });
    if (!view.ok) return view;
    const emails = await lookUpEmails(
      view.value.members.map((member) => member.userId),
      options.emailOf,
    );
    return permissionsResponse(view.value, emails);
  }, logger),

  getTemplate: unaryHandler(async ({ templateId }) => {
    const template = await projects.getTemplate(templateId);
    return template.ok ? ok(getTemplateResponse(template.value)) : template;
  }, logger),

  listTemplates: unaryHandler(async (request) => {
    const page = await projects.listTemplates(listTemplatesInput(request));
    return page.ok ? ok(listTemplatesResponse(page.value)) : page;
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
        failure('invalid', 'unknown_session', "collaboration_session_id does not name this project's session", [
          { field: 'collaboration_session_id', message: 'is not the session of this project' },
        ]),
      );
    }
    const left = await projects.leaveCollaboration(collaborationInput(request));
    return left.ok ? ok(leaveResponse(left.value)) : left;
  }, logger),

  editProject: unaryHandler(async (request) => {
    const ids = requireIds({ project_id: request.projectId, user_id: request.userId, client_id: request.clientId });
    if (!ids.ok) return ids;
    const edited = await projects.editProject(editInput(request));
    return edited.ok ? ok(editProjectResponse(edited.value)) : edited;
  }, logger),

  healthCheck: unaryHandler(async () => serviceHealth('project', options.healthDetails?.() ?? {}), logger),
});
