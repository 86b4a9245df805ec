import type { FastifyInstance } from 'fastify';
import type { ProjectService } from '../../../core/project/index.js';
import type { TokenCheck } from '../auth/authenticate.js';
import { readQuery } from '../client-api/common.js';
import { idRoute, listTemplatesRoute, type TemplateListQuery } from '../client-api/project-api.js';
import { unwrap } from '../unwrap.js';
import { authenticatedScope } from '../client-api/authenticated-scope.js';
import { projectJson } from '../client-api/project-json.js';

/** The built-in project templates, for any authenticated caller: `GET /templates` (paginated) and `GET /templates/:id`. */
export const registerTemplateRoutes = (app: FastifyInstance, projects: ProjectService, check: TokenCheck): void =>
  authenticatedScope(app, check, (scope) => {
    scope.get('/templates', { schema: listTemplatesRoute.schema }, async (request) => {
      const { category, page_size: pageSize, page_token: pageToken } = readQuery<TemplateListQuery>(request, listTemplatesRoute.query);
      const page = unwrap(await projects.listTemplates({ category: category || undefined, pageSize, pageToken: pageToken || undefined }));
      return projectJson.templates(page);
    });

    scope.get<{ Params: { id: string } }>('/templates/:id', { schema: idRoute.schema }, async (request) =>
      projectJson.template(unwrap(await projects.getTemplate(request.params.id))),
    );
  });
