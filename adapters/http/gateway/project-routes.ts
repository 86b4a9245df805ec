import type { FastifyInstance } from 'fastify';
import type { IdParams } from '../client-api/common.js';
import { readQuery } from '../client-api/common.js';
import {
  createProjectRoute,
  getProjectRoute,
  idRoute,
  joinCollaborationRoute,
  leaveCollaborationRoute,
  listProjectsRoute,
  listTemplatesRoute,
  shareProjectRoute,
  updateProjectRoute,
  type GetProjectQuery,
  type NewProjectBody,
  type ProjectListQuery,
  type ProjectPatchBody,
  type ShareBody,
  type TemplateListQuery,
} from '../client-api/project-api.js';
import { unwrap } from '../unwrap.js';
import type { CallerCheck } from './caller.js';
import type { ProjectBackend } from './client-api-ports.js';

/** Projects, sharing, collaboration and templates: `project.ProjectService` over gRPC; shapes from ../client-api (docs/adr/0029). */
export const registerProjectRoutes = (app: FastifyInstance, caller: CallerCheck, projects: ProjectBackend): void => {
  app.get('/projects', { schema: listProjectsRoute.schema }, async (request, reply) =>
    unwrap(await projects.list(await caller.call(request, reply), readQuery<ProjectListQuery>(request, listProjectsRoute.query))),
  );

  app.post<{ Body: NewProjectBody }>('/projects', { schema: createProjectRoute.schema }, async (request, reply) => {
    const created = unwrap(await projects.create(await caller.call(request, reply), request.body));
    return reply.code(201).send(created);
  });

  app.get<{ Params: IdParams }>('/projects/:id', { schema: getProjectRoute.schema }, async (request, reply) => {
    const query = readQuery<GetProjectQuery>(request, getProjectRoute.query);
    return unwrap(await projects.get(await caller.call(request, reply), request.params.id, query.include_configuration ?? true));
  });

  app.patch<{ Params: IdParams; Body: ProjectPatchBody }>('/projects/:id', { schema: updateProjectRoute.schema }, async (request, reply) =>
    unwrap(await projects.update(await caller.call(request, reply), request.params.id, request.body)),
  );

  app.delete<{ Params: IdParams }>('/projects/:id', { schema: idRoute.schema }, async (request, reply) =>
    unwrap(await projects.remove(await caller.call(request, reply), request.params.id)),
  );

  app.post<{ Params: IdParams; Body: ShareBody }>('/projects/:id/share', { schema: shareProjectRoute.schema }, async (request, reply) =>
    unwrap(await projects.share(await caller.call(request, reply), request.params.id, request.body)),
  );

  app.get<{ Params: IdParams }>('/projects/:id/permissions', { schema: idRoute.schema }, async (request, reply) =>
    unwrap(await projects.permissions(await caller.call(request, reply), request.params.id)),
  );

  app.post<{ Params: IdParams; Body: { client_id?: string } | null | undefined }>(
    '/projects/:id/collaboration',
    { schema: joinCollaborationRoute.schema },
    async (request, reply) =>
      unwrap(await projects.joinCollaboration(await caller.call(request, reply), request.params.id, request.body?.client_id ?? '')),
  );

  app.delete<{ Params: IdParams; Querystring: { collaboration_session_id?: string } }>(
    '/projects/:id/collaboration',
    { schema: leaveCollaborationRoute.schema },
    async (request, reply) =>
      unwrap(
        await projects.leaveCollaboration(
          await caller.call(request, reply),
          request.params.id,
          request.query.collaboration_session_id ?? '',
        ),
      ),
  );

  app.get('/templates', { schema: listTemplatesRoute.schema }, async (request, reply) =>
    unwrap(await projects.templates(await caller.call(request, reply), readQuery<TemplateListQuery>(request, listTemplatesRoute.query))),
  );

  app.get<{ Params: IdParams }>('/templates/:id', { schema: idRoute.schema }, async (request, reply) =>
    unwrap(await projects.template(await caller.call(request, reply), request.params.id)),
  );
};
