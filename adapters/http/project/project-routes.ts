import type { FastifyInstance } from 'fastify';
import {
  accessOf,
  toProjectView,
  type Configuration,
  type Project,
  type ProjectService,
  type ProjectStatus,
  type ShareRole,
} from '../../../core/project/index.js';
import type { TokenCheck } from '../auth/authenticate.js';
import { unwrap } from '../unwrap.js';
import { authenticatedScope } from './authenticated-scope.js';
import { collaborationJson, permissionsJson, projectJson } from './project-json.js';
import {
  createProjectBody,
  getProjectQuery,
  idParams,
  listProjectsQuery,
  shareProjectBody,
  updateProjectBody,
} from './project-schemas.js';

interface IdParams {
  id: string;
}
interface ListQuery {
  scope?: 'owned' | 'shared' | 'public' | 'accessible';
  status?: ProjectStatus;
  page_size?: number;
  page_token?: string;
}
interface CreateBody {
  name: string;
  description?: string;
  template_id?: string;
  configuration?: Configuration;
  is_public?: boolean;
}
interface UpdateBody {
  name?: string;
  description?: string;
  is_public?: boolean;
  status?: ProjectStatus;
  configuration?: Configuration;
  removed_configuration_keys?: string[];
  expected_version?: number;
}
interface ShareBody {
  user_id?: string;
  email?: string;
  role: ShareRole;
}

/** A project as its caller sees it after a write: with the configuration. */
const ownView = (project: Project, userId: string) => projectJson(toProjectView(project, accessOf(project, userId), true));

/**
 * The project client API (HTTP/2 + JSON) on the project service's own port: CRUD, sharing,
 * permissions and the collaboration session. Every route needs a bearer token; bodies, queries and
 * params are checked by schema (400 with field errors), domain rules come back as failures
 * rendered by the one problem+json handler (a project the caller cannot read is 404).
 */
export const registerProjectRoutes = (app: FastifyInstance, projects: ProjectService, check: TokenCheck): void =>
  authenticatedScope(app, check, (scope, callerOf) => {
    scope.get<{ Querystring: ListQuery }>('/projects', { schema: { querystring: listProjectsQuery } }, async (request) => {
      const { userId } = callerOf(request);
      const { scope: filter, status, page_size: pageSize, page_token: pageToken } = request.query;
      const page = unwrap(
        await projects.listProjects({ userId, filter: filter ?? 'accessible', status, pageSize, pageToken }),
      );
      return {
        projects: page.projects.map((project) => projectJson(toProjectView(project, accessOf(project, userId), false))),
        next_page_token: page.nextPageToken ?? null,
        total_count: page.totalCount,
      };
    });

    scope.post<{ Body: CreateBody }>('/projects', { schema: { body: createProjectBody } }, async (request, reply) => {
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
      return reply.code(201).header('location', `/projects/${encodeURIComponent(project.id)}`).send({ project: ownView(project, userId) });
    });

    scope.get<{ Params: IdParams; Querystring: { include_configuration?: boolean } }>(
      '/projects/:id',
      { schema: { params: idParams, querystring: getProjectQuery } },
      async (request) => {
        const includeConfiguration = request.query.include_configuration ?? true;
        const view = unwrap(await projects.getProject({ projectId: request.params.id, userId: callerOf(request).userId, includeConfiguration }));
        return { project: projectJson(view) };
      },
    );

    scope.patch<{ Params: IdParams; Body: UpdateBody }>(
      '/projects/:id',
      { schema: { params: idParams, body: updateProjectBody } },
      async (request) => {
        const { userId } = callerOf(request);
        const body = request.body;
        const project = unwrap(
          await projects.updateProject({
            projectId: request.params.id,
            userId,
            name: body.name,
            description: body.description,
            isPublic: body.is_public,
            status: body.status,
            configuration: body.configuration,
            removedConfigurationKeys: body.removed_configuration_keys,
            expectedVersion: body.expected_version,
          }),
        );
        return { project: ownView(project, userId) };
      },
    );

    scope.delete<{ Params: IdParams }>('/projects/:id', { schema: { params: idParams } }, async (request, reply) => {
      unwrap(await projects.deleteProject({ projectId: request.params.id, userId: callerOf(request).userId }));
      return reply.code(204).send();
    });

    scope.post<{ Params: IdParams; Body: ShareBody }>(
      '/projects/:id/share',
      { schema: { params: idParams, body: shareProjectBody } },
      async (request) => {
        const { user_id: targetUserId, email, role } = request.body;
        const target = targetUserId !== undefined ? { userId: targetUserId } : { email: email ?? '' };
        const outcome = unwrap(
          await projects.shareProject({ projectId: request.params.id, userId: callerOf(request).userId, target, role }),
        );
        return {
          share: {
            project_id: outcome.projectId,
            user_id: outcome.targetUserId,
            role: outcome.role,
            shared_at: outcome.sharedAt,
            changed: outcome.changed,
          },
        };
      },
    );

    scope.get<{ Params: IdParams }>('/projects/:id/permissions', { schema: { params: idParams } }, async (request) =>
      permissionsJson(unwrap(await projects.getProjectPermissions({ projectId: request.params.id, userId: callerOf(request).userId }))),
    );

    scope.post<{ Params: IdParams }>('/projects/:id/collaboration', { schema: { params: idParams } }, async (request) => ({
      collaboration: collaborationJson(
        unwrap(await projects.joinCollaboration({ projectId: request.params.id, userId: callerOf(request).userId })),
      ),
    }));

    scope.delete<{ Params: IdParams }>('/projects/:id/collaboration', { schema: { params: idParams } }, async (request) => ({
      collaboration: collaborationJson(
        unwrap(await projects.leaveCollaboration({ projectId: request.params.id, userId: callerOf(request).userId })),
      ),
    }));
  });
