import type { FastifyInstance } from 'fastify';
import type { SimulationService } from '../../../core/simulation/index.js';
import { authenticate, type TokenCheck } from '../auth/authenticate.js';
import { unwrap } from '../unwrap.js';
import {
  analysisJson,
  historyJson,
  liveMetricsJson,
  resultsJson,
  startedJson,
  statusJson,
  stopJson,
  validationJson,
} from './simulation-json.js';
import {
  historyQuery,
  idParams,
  metricsQuery,
  resultsQuery,
  startBody,
  stopBody,
  validateBody,
  type HistoryQuery,
  type MetricsQuery,
  type ResultsQuery,
  type StartBody,
  type StopBody,
  type ValidateBody,
} from './simulation-schemas.js';

/** Samples `GET /simulations/:id/results?include_samples=true` returns without `max_samples`. */
export const DEFAULT_RESULT_SAMPLES = 1_000;

interface IdParams {
  id: string;
}

/**
 * The simulation client API (HTTP/2 + JSON, port 11001). Every route needs a bearer token, checked
 * by `tokenCheck` (the auth service over gRPC); the caller's user id comes from it, never from the
 * request. Shapes are checked by schema (400 with field errors), rules by the use cases, whose
 * failures the one problem+json handler renders.
 */
export const registerSimulationRoutes = (app: FastifyInstance, simulations: SimulationService, tokenCheck: TokenCheck): void => {
  app.post<{ Body: StartBody }>('/simulations', { schema: { body: startBody } }, async (request, reply) => {
    const { userId } = await authenticate(request, tokenCheck);
    const body = request.body;
    const started = unwrap(
      await simulations.startSimulation({
        userId,
        projectId: body.project_id,
        configuration: body.configuration,
        components: body.components,
        durationSeconds: body.duration_seconds,
        enableRealTime: body.enable_real_time ?? true,
      }),
    );
    return reply.code(201).header('location', `/simulations/${encodeURIComponent(started.simulationId)}`).send(startedJson(started));
  });

  app.post<{ Body: ValidateBody }>('/simulations/validate', { schema: { body: validateBody } }, async (request) => {
    const { userId } = await authenticate(request, tokenCheck);
    const body = request.body;
    return validationJson(
      unwrap(
        await simulations.validateConfiguration({
          userId,
          projectId: body.project_id,
          configuration: body.configuration,
          components: body.components,
          durationSeconds: body.duration_seconds,
          enableRealTime: body.enable_real_time,
        }),
      ),
    );
  });

  app.get<{ Params: IdParams }>('/simulations/:id', { schema: { params: idParams } }, async (request) => {
    const { userId } = await authenticate(request, tokenCheck);
    return statusJson(unwrap(await simulations.getStatus({ simulationId: request.params.id, userId })));
  });

  app.post<{ Params: IdParams; Body: StopBody | undefined }>('/simulations/:id/stop', { schema: { params: idParams, body: stopBody } }, async (request) => {
    const { userId } = await authenticate(request, tokenCheck);
    return stopJson(unwrap(await simulations.stopSimulation({ simulationId: request.params.id, userId, reason: request.body?.reason })));
  });

  app.get<{ Params: IdParams; Querystring: ResultsQuery }>(
    '/simulations/:id/results',
    { schema: { params: idParams, querystring: resultsQuery } },
    async (request) => {
      const { userId } = await authenticate(request, tokenCheck);
      const includeSamples = request.query.include_samples ?? false;
      const maxSamples = includeSamples ? request.query.max_samples || DEFAULT_RESULT_SAMPLES : 1;
      return resultsJson(unwrap(await simulations.getResults({ simulationId: request.params.id, userId, maxSamples })), includeSamples);
    },
  );

  app.get<{ Params: IdParams; Querystring: MetricsQuery }>(
    '/simulations/:id/metrics',
    { schema: { params: idParams, querystring: metricsQuery } },
    async (request) => {
      const { userId } = await authenticate(request, tokenCheck);
      const { since, max_samples: maxSamples } = request.query;
      return liveMetricsJson(unwrap(await simulations.getLiveMetrics({ simulationId: request.params.id, userId, since, maxSamples })));
    },
  );

  app.get<{ Params: IdParams }>('/simulations/:id/analysis', { schema: { params: idParams } }, async (request) => {
    const { userId } = await authenticate(request, tokenCheck);
    return analysisJson(unwrap(await simulations.getPerformanceAnalysis({ simulationId: request.params.id, userId })));
  });

  app.get<{ Params: IdParams; Querystring: HistoryQuery }>(
    '/projects/:id/simulations',
    { schema: { params: idParams, querystring: historyQuery } },
    async (request) => {
      const { userId } = await authenticate(request, tokenCheck);
      const { status, page_size: pageSize, page_token: pageToken } = request.query;
      return historyJson(unwrap(await simulations.getHistory({ userId, projectId: request.params.id, status, pageSize, pageToken })));
    },
  );
};
