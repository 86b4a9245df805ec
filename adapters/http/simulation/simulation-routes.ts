import type { FastifyInstance } from 'fastify';
import type { SimulationService } from '../../../core/simulation/index.js';
import type { TokenCheck } from '../auth/authenticate.js';
import { authenticatedScope } from '../client-api/authenticated-scope.js';
import { unwrap } from '../unwrap.js';
import { DEFAULT_RESULT_SAMPLES } from '../../grpc/simulation/simulation-requests.js';
import { simulationJson } from '../client-api/simulation-json.js';
import { readQuery, type IdParams } from '../client-api/common.js';
import {
  historyRoute,
  metricsRoute,
  projectHistoryRoute,
  resultsRoute,
  simulationIdRoute,
  startSimulationRoute,
  stopSimulationRoute,
  validateSimulationRoute,
  type HistoryQuery,
  type MetricsQuery,
  type NewSimulationBody,
  type ResultsQuery,
  type StopBody,
  type ValidationBody,
} from '../client-api/simulation-api.js';

/**
 * The simulation client API (HTTP/2 + JSON, port 11001). Every route needs a bearer token, checked
 * by `tokenCheck` (the auth service over gRPC) before the body is read, as on the gateway; the
 * caller's user id comes from it, never from the request. Requests and answers (../client-api, the gateway's too)
 * are checked by schema (400 with field errors), rules by the use cases, whose failures the one
 * problem+json handler renders.
 */
export const registerSimulationRoutes = (app: FastifyInstance, simulations: SimulationService, tokenCheck: TokenCheck): void =>
  authenticatedScope(app, tokenCheck, (scope, callerOf) => {
    scope.post<{ Body: NewSimulationBody }>('/simulations', { schema: startSimulationRoute.schema }, async (request, reply) => {
      const { userId } = callerOf(request);
      const body = request.body;
      const started = unwrap(
        await simulations.startSimulation({
          userId,
          projectId: body.project_id,
          configuration: body.configuration,
          components: body.components ? [...body.components] : undefined,
          durationSeconds: body.duration_seconds,
          enableRealTime: body.enable_real_time ?? true,
        }),
      );
      return reply
        .code(201)
        .header('location', `/simulations/${encodeURIComponent(started.simulationId)}`)
        .send(simulationJson.started(started));
    });

    scope.post<{ Body: ValidationBody }>('/simulations/validate', { schema: validateSimulationRoute.schema }, async (request) => {
      const { userId } = callerOf(request);
      const body = request.body;
      return simulationJson.validation(
        unwrap(
          await simulations.validateConfiguration({
            userId,
            projectId: body.project_id,
            configuration: body.configuration ?? {},
            components: body.components ? [...body.components] : undefined,
            durationSeconds: body.duration_seconds,
          }),
        ),
      );
    });

    scope.get<{ Params: IdParams }>('/simulations/:id', { schema: simulationIdRoute.schema }, async (request) => {
      const { userId } = callerOf(request);
      return simulationJson.status(unwrap(await simulations.getStatus({ simulationId: request.params.id, userId })));
    });

    scope.post<{ Params: IdParams; Body: StopBody | null | undefined }>(
      '/simulations/:id/stop',
      { schema: stopSimulationRoute.schema },
      async (request) => {
        const { userId } = callerOf(request);
        return simulationJson.stopped(
          unwrap(await simulations.stopSimulation({ simulationId: request.params.id, userId, reason: request.body?.reason })),
        );
      },
    );

    scope.get<{ Params: IdParams }>('/simulations/:id/results', { schema: resultsRoute.schema }, async (request) => {
      const { userId } = callerOf(request);
      const query = readQuery<ResultsQuery>(request, resultsRoute.query);
      const includeSamples = query.include_samples ?? false;
      const maxSamples = includeSamples ? query.max_samples || DEFAULT_RESULT_SAMPLES : 1;
      return simulationJson.results(
        unwrap(await simulations.getResults({ simulationId: request.params.id, userId, maxSamples })),
        includeSamples,
      );
    });

    scope.get<{ Params: IdParams }>('/simulations/:id/metrics', { schema: metricsRoute.schema }, async (request) => {
      const { userId } = callerOf(request);
      const { since, max_samples: maxSamples } = readQuery<MetricsQuery>(request, metricsRoute.query);
      return simulationJson.liveMetrics(
        unwrap(await simulations.getLiveMetrics({ simulationId: request.params.id, userId, since, maxSamples })),
      );
    });

    scope.get<{ Params: IdParams }>('/simulations/:id/analysis', { schema: simulationIdRoute.schema }, async (request) => {
      const { userId } = callerOf(request);
      return simulationJson.analysis(unwrap(await simulations.getPerformanceAnalysis({ simulationId: request.params.id, userId })));
    });

    scope.get<{ Params: IdParams }>('/projects/:id/simulations', { schema: projectHistoryRoute.schema }, async (request) => {
      const { userId } = callerOf(request);
      const { status, page_size: pageSize, page_token: pageToken } = readQuery<HistoryQuery>(request, projectHistoryRoute.query);
      const projectId = request.params.id;
      return simulationJson.history(
        unwrap(await simulations.getHistory({ userId, projectId, status, pageSize, pageToken: pageToken || undefined })),
      );
    });

    scope.get('/simulations', { schema: historyRoute.schema }, async (request) => {
      const { userId } = callerOf(request);
      const { status, page_size: pageSize, page_token: pageToken } = readQuery<HistoryQuery>(request, historyRoute.query);
      return simulationJson.history(unwrap(await simulations.getHistory({ userId, status, pageSize, pageToken: pageToken || undefined })));
    });
  });
