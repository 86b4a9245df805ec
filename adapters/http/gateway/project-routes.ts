import type { FastifyInstance } from 'fastify';
import { unwrap } from '../unwrap.js';
import type { CallerCheck } from './caller.js';
import type {
  NewProjectBody,
  ProjectBackend,
  ProjectListQuery,
  ProjectPatchBody,
  ShareBody,
  TemplateListQuery,
} from './client-api-ports.js';
import { idParams, idSchema, pageSizeSchema, pageTokenSchema, query, shortText, stringMapSchema } from './schemas.js';

interface IdParams {
  id: string;
}

const nameSchema = { type: 'string', minLength: 1, maxLength: 200 } as const;
const descriptionSchema = shortText(2_000);
const statusSchema = shortText(32);

/** Projects, sharing, collaboration and templates: `project.ProjectService` over gRPC. */
export const registerProjectRoutes = (app: FastifyInstance, caller: CallerCheck, projects: ProjectBackend): void => {
  app.get<{ Querystring: ProjectListQuery }>(
    '/projects',
    {
      schema: {
        querystring: query({
          page_size: pageSizeSchema,
          page_token: pageTokenSchema,
          include_shared: { type: 'boolean' },
          include_public: { type: 'boolean' },
          status: statusSchema,
        }),
      },
    },
    async (request, reply) => unwrap(await projects.list(await caller.call(request, reply), request.query)),
  );

  app.post<{ Body: NewProjectBody }>(
    '/projects',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: nameSchema,
            description: descriptionSchema,
            template_id: idSchema,
            configuration: stringMapSchema,
            is_public: { type: 'boolean' },
          },
        },
      },
    },
    async (request, reply) => {
      const created = unwrap(await projects.create(await caller.call(request, reply), request.body));
      return reply.code(201).send(created);
    },
  );

  app.get<{ Params: IdParams }>('/projects/:id', { schema: { params: idParams } }, async (request, reply) =>
    unwrap(await projects.get(await caller.call(request, reply), request.params.id)),
  );

  app.patch<{ Params: IdParams; Body: ProjectPatchBody }>(
    '/projects/:id',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            name: nameSchema,
            description: descriptionSchema,
            is_public: { type: 'boolean' },
            status: statusSchema,
            configuration: stringMapSchema,
            removed_configuration_keys: { type: 'array', maxItems: 200, items: shortText(100) },
            expected_updated_at: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    async (request, reply) => unwrap(await projects.update(await caller.call(request, reply), request.params.id, request.body)),
  );

  app.delete<{ Params: IdParams }>('/projects/:id', { schema: { params: idParams } }, async (request, reply) =>
    unwrap(await projects.remove(await caller.call(request, reply), request.params.id)),
  );

  app.post<{ Params: IdParams; Body: ShareBody }>(
    '/projects/:id/share',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: {
            target_user_id: idSchema,
            target_email: { type: 'string', minLength: 3, maxLength: 254 },
            role: { type: 'string', enum: ['viewer', 'editor'] },
          },
          oneOf: [{ required: ['target_user_id'] }, { required: ['target_email'] }],
        },
      },
    },
    async (request, reply) => unwrap(await projects.share(await caller.call(request, reply), request.params.id, request.body)),
  );

  app.get<{ Params: IdParams }>('/projects/:id/permissions', { schema: { params: idParams } }, async (request, reply) =>
    unwrap(await projects.permissions(await caller.call(request, reply), request.params.id)),
  );

  app.post<{ Params: IdParams; Body: { client_id?: string } | undefined }>(
    '/projects/:id/collaboration',
    {
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, properties: { client_id: idSchema } },
      },
    },
    async (request, reply) =>
      unwrap(await projects.joinCollaboration(await caller.call(request, reply), request.params.id, request.body?.client_id ?? '')),
  );

  app.delete<{ Params: IdParams; Querystring: { collaboration_session_id?: string } }>(
    '/projects/:id/collaboration',
    { schema: { params: idParams, querystring: query({ collaboration_session_id: idSchema }) } },
    async (request, reply) =>
      unwrap(
        await projects.leaveCollaboration(
          await caller.call(request, reply),
          request.params.id,
          request.query.collaboration_session_id ?? '',
        ),
      ),
  );

  app.get<{ Querystring: TemplateListQuery }>(
    '/templates',
    { schema: { querystring: query({ category: shortText(64), page_size: pageSizeSchema, page_token: pageTokenSchema }) } },
    async (request, reply) => unwrap(await projects.templates(await caller.call(request, reply), request.query)),
  );

  app.get<{ Params: IdParams }>('/templates/:id', { schema: { params: idParams } }, async (request, reply) =>
    unwrap(await projects.template(await caller.call(request, reply), request.params.id)),
  );
};
