import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExportRecord } from '../../../core/exports/model.js';
import type { ExportService } from '../../../core/exports/service.js';
import type { IdempotentWrites } from '../../../core/idempotency/idempotent-writes.js';
import { rememberedWrite, type HttpAnswer } from '../remembered-http-writes.js';
import type { TokenCheck } from '../auth/authenticate.js';
import { unwrap } from '../unwrap.js';
import { authenticatedScope } from '../client-api/authenticated-scope.js';
import { exportJson } from './project-json.js';
import { createExportRoute, exportIdRoute, projectReportRoute, type CreateExportBody } from '../client-api/export-api.js';

/** How long a client polling a queued or running export should wait before asking again. */
const RETRY_AFTER_SECONDS = '1';

/** A queued export: 202 with where to ask for it. */
const queued = (record: ExportRecord): HttpAnswer => ({
  status: 202,
  headers: { location: `/exports/${encodeURIComponent(record.id)}` },
  body: { export: exportJson(record) },
});

/**
 * Exports on the project service's port. `POST /exports` (simulation results as JSON or CSV, or a
 * project report) and `POST /projects/:id/reports` answer 202 with the queued export and its
 * `location`; sent again with the same `Idempotency-Key`, they answer the same export (docs/adr/0064).
 * `GET /exports/:id`, for its owner only: 202 with the export's state while queued or
 * running, 200 with the state once failed, and the file itself once ready (its content type and an
 * attachment `content-disposition`).
 */
export const registerExportRoutes = (app: FastifyInstance, exports: ExportService, check: TokenCheck, writes: IdempotentWrites): void =>
  authenticatedScope(app, check, (scope, callerOf) => {
    const byCaller = (request: FastifyRequest) => `user:${callerOf(request).userId}`;

    scope.post<{ Body: CreateExportBody }>(
      '/exports',
      { schema: createExportRoute.schema },
      rememberedWrite(writes, byCaller, async (request: FastifyRequest<{ Body: CreateExportBody }>) => {
        const { kind, format } = request.body;
        const subjectId = (kind === 'project_report' ? request.body.project_id : request.body.simulation_id) ?? '';
        return queued(unwrap(await exports.requestExport({ userId: callerOf(request).userId, kind, subjectId, format })));
      }),
    );

    scope.post<{ Params: { id: string } }>(
      '/projects/:id/reports',
      { schema: projectReportRoute.schema },
      rememberedWrite(writes, byCaller, async (request: FastifyRequest<{ Params: { id: string } }>) => {
        const userId = callerOf(request).userId;
        return queued(unwrap(await exports.requestExport({ userId, kind: 'project_report', subjectId: request.params.id })));
      }),
    );

    scope.get<{ Params: { id: string } }>('/exports/:id', { schema: exportIdRoute.schema }, async (request, reply) => {
      const record = unwrap(await exports.getExport({ exportId: request.params.id, userId: callerOf(request).userId }));
      if (record.status === 'ready' && record.file) {
        return reply
          .type(record.file.contentType)
          .header('content-disposition', `attachment; filename="${record.file.fileName}"`)
          .header('cache-control', 'private, no-store')
          .send(record.file.content);
      }
      if (record.status === 'failed') return { export: exportJson(record) };
      return reply
        .code(202)
        .header('retry-after', RETRY_AFTER_SECONDS)
        .send({ export: exportJson(record) });
    });
  });
