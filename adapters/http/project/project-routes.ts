import type { FastifyInstance } from 'fastify';
import { type ProjectScope, type ProjectService, type ProjectStatus, type ShareRole } from '../../../core/project/index.js';
import type { TokenCheck } from '../auth/authenticate.js';
import { readQuery, type IdParams } from '../client-api/common.js';
import {
  createProjectRoute,
  getProjectRoute,
  idRoute,
  joinCollaborationRoute,
  leaveCollaborationRoute,
  listProjectsRoute,
  shareProjectRoute,
  updateProjectRoute,
  type GetProjectQuery,
  type NewProjectBody,
  type ProjectListQuery,
  type ProjectPatchBody,
  type ShareBody,
} from '../client-api/project-api.js';
import { unwrap } from '../unwrap.js';
import { authenticatedScope } from '../client-api/authenticated-scope.js';
import { projectJson, type EmailLookup } from '../client-api/project-json.js';

/** The caller's own projects always; shared ones unless `include_shared=false`, public ones with `include_public=true`. */
const scopesOf = (query: ProjectListQuery): ProjectScope[] => [
  'owned',
  ...(query.include_shared === false ? [] : (['shared'] as const)),
  ...(query.include_public === true ? (['public'] as const) : []),
];

/**
 * The project client API (HTTP/2 + JSON) on the project service's own port: CRUD, sharing,
 * permissions and the collaboration session, requests and answers in the shapes of ../client-api (the gateway's too). Every
 * route needs a bearer token; bodies, queries and params are checked by schema (400 with field errors), domain rules come back as failures
 * rendered by the one problem+json handler (a project the caller cannot read is 404).
 */
export const registerProjectRoutes = (app: FastifyInstance, projects: ProjectService, check: TokenCheck, emailOf?: EmailLookup): void =>
  authenticatedScope(app, check, (scope, callerOf) => {
    scope.get('/projects', { schema: listProjectsRoute.schema }, async (request) => {
      const { userId } = callerOf(request);
      const query = readQuery<ProjectListQuery>(request, listProjectsRoute.query);
      const { page_size: pageSize, page_token: pageToken } = query;
      const status = query.status as ProjectStatus | undefined;
      const page = unwrap(
        await projects.listProjects({ userId, filter: scopesOf(query), status, pageSize, pageToken: pageToken || undefined }),
      );
      return projectJson.page(page, userId);
    });

    scope.post<{ Body: NewProjectBody }>('/projects', { schema: createProjectRoute.schema }, async (request, reply) => {
      const { userId } = callerOf(request);
      const body = request.body;
      const project = unwrap(
        await projects.createProject({
          userId,
          name: body.name,
          description: body.description,
          templateId: body.template_id,
          configuration: body.configuration,
          isPublic: body.is_public,
        }),
      );
      return reply
        .code(201)
        .header('location', `/projects/${encodeURIComponent(project.id)}`)
        .send(projectJson.created(project));
    });

    scope.get<{ Params: IdParams }>('/projects/:id', { schema: getProjectRoute.schema }, async (request) => {
      const includeConfiguration = readQuery<GetProjectQuery>(request, getProjectRoute.query).include_configuration ?? true;
      const view = unwrap(
        await projects.getProject({ projectId: request.params.id, userId: callerOf(request).userId, includeConfiguration }),
      );
      return projectJson.view(view);
    });

    scope.patch<{ Params: IdParams; Body: ProjectPatchBody }>('/projects/:id', { schema: updateProjectRoute.schema }, async (request) => {
      const { userId } = callerOf(request);
      const body = request.body;
      const project = unwrap(
        await projects.updateProject({
          projectId: request.params.id,
          userId,
          name: body.name,
          description: body.description,
          isPublic: body.is_public,
          status: body.status as ProjectStatus | undefined,
          configuration: body.configuration,
          removedConfigurationKeys: body.removed_configuration_keys,
          // 0 skips the check, as in the rpc.
          expectedUpdatedAt: body.expected_updated_at || undefined,
        }),
      );
      return projectJson.updated(project, userId);
    });

    scope.delete<{ Params: IdParams }>('/projects/:id', { schema: idRoute.schema }, async (request) =>
      projectJson.deleted(unwrap(await projects.deleteProject({ projectId: request.params.id, userId: callerOf(request).userId }))),
    );

    scope.post<{ Params: IdParams; Body: ShareBody }>('/projects/:id/share', { schema: shareProjectRoute.schema }, async (request) => {
      const { target_user_id: targetUserId, target_email: email, role } = request.body;
      const target = targetUserId !== undefined ? { userId: targetUserId } : { email: email ?? '' };
      const outcome = unwrap(
        await projects.shareProject({ projectId: request.params.id, userId: callerOf(request).userId, target, role: role as ShareRole }),
      );
      return projectJson.shared(outcome);
    });

    scope.get<{ Params: IdParams }>('/projects/:id/permissions', { schema: idRoute.schema }, async (request) =>
      projectJson.permissions(
        unwrap(await projects.getProjectPermissions({ projectId: request.params.id, userId: callerOf(request).userId })),
        emailOf,
      ),
    );

    // The gateway's client and session ids have no meaning on this port: one session per user here.
    scope.post<{ Params: IdParams }>('/projects/:id/collaboration', { schema: joinCollaborationRoute.schema }, async (request) =>
      projectJson.joined(unwrap(await projects.joinCollaboration({ projectId: request.params.id, userId: callerOf(request).userId }))),
    );

    scope.delete<{ Params: IdParams }>('/projects/:id/collaboration', { schema: leaveCollaborationRoute.schema }, async (request) =>
      projectJson.left(unwrap(await projects.leaveCollaboration({ projectId: request.params.id, userId: callerOf(request).userId }))),
    );
  });
