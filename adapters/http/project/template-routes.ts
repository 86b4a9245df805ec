import type { FastifyInstance } from 'fastify';
import type { ProjectService } from '../../../core/project/index.js';
import type { TokenCheck } from '../auth/authenticate.js';
import { unwrap } from '../unwrap.js';
import { authenticatedScope } from './authenticated-scope.js';
import { templateJson } from './project-json.js';
import { idParams, listTemplatesQuery } from './project-schemas.js';

interface TemplatesQuery {
  category?: string;
  page_size?: number;
  page_token?: string;
}

/** The built-in project templates, for any authenticated caller: `GET /templates` (paginated) and `GET /templates/:id`. */
export const registerTemplateRoutes = (app: FastifyInstance, projects: ProjectService, check: TokenCheck): void =>
  authenticatedScope(app, check, (scope) => {
    scope.get<{ Querystring: TemplatesQuery }>('/templates', { schema: { querystring: listTemplatesQuery } }, async (request) => {
      const { category, page_size: pageSize, page_token: pageToken } = request.query;
      const page = unwrap(await projects.listTemplates({ category, pageSize, pageToken }));
      return { templates: page.templates.map(templateJson), next_page_token: page.nextPageToken ?? null, total_count: page.totalCount };
    });

    scope.get<{ Params: { id: string } }>('/templates/:id', { schema: { params: idParams } }, async (request) => ({
      template: templateJson(unwrap(await projects.getTemplate(request.params.id))),
    }));
  });
