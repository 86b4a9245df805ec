import type { FastifyInstance } from 'fastify';
import { DomainFailureError, failure } from '../../../core/shared/errors.js';
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
import { unwrap } from '../unwrap.js';
import type { CallerCheck } from './caller.js';
import type { ProjectBackend, SimulationBackend } from './client-api-ports.js';

/** Where a client watches a simulation's live samples (see adapters/websocket). */
export const streamPathOf = (simulationId: string): string => `/simulation/stream?simulation_id=${encodeURIComponent(simulationId)}`;

/**
 * Simulations: `simulation.SimulationService` over gRPC; starting one asks the project service first, as the
 * specification's flow does (docs/specification.md#the-three-flows).
 */
export const registerSimulationRoutes = (
  app: FastifyInstance,
  caller: CallerCheck,
  simulations: SimulationBackend,
  projects: ProjectBackend,
): void => {
  app.post<{ Body: NewSimulationBody }>('/simulations', { schema: startSimulationRoute.schema }, async (request, reply) => {
    const call = await caller.call(request, reply);
    const project = await projects.get(call, request.body.project_id);
    if (!project.ok) {
      // A project the caller may not read does not exist for them, whatever the reason.
      const hidden = project.error.kind === 'forbidden' || project.error.kind === 'not_found';
      throw new DomainFailureError(
        hidden ? failure('not_found', 'project_not_found', `No project ${request.body.project_id} that you can read.`) : project.error,
      );
    }
    const started = unwrap(await simulations.start(call, request.body));
    const id = typeof started.simulation_id === 'string' ? started.simulation_id : '';
    return reply.code(201).send({ ...started, stream_url: streamPathOf(id) });
  });

  app.post<{ Body: ValidationBody }>('/simulations/validate', { schema: validateSimulationRoute.schema }, async (request, reply) =>
    unwrap(await simulations.validate(await caller.call(request, reply), request.body)),
  );

  app.get<{ Params: IdParams }>('/simulations/:id', { schema: simulationIdRoute.schema }, async (request, reply) =>
    unwrap(await simulations.status(await caller.call(request, reply), request.params.id)),
  );

  app.post<{ Params: IdParams; Body: StopBody | null | undefined }>(
    '/simulations/:id/stop',
    { schema: stopSimulationRoute.schema },
    async (request, reply) =>
      unwrap(await simulations.stop(await caller.call(request, reply), request.params.id, request.body?.reason ?? '')),
  );

  app.get<{ Params: IdParams }>('/simulations/:id/results', { schema: resultsRoute.schema }, async (request, reply) => {
    const query = readQuery<ResultsQuery>(request, resultsRoute.query);
    return unwrap(await simulations.results(await caller.call(request, reply), request.params.id, query));
  });

  app.get<{ Params: IdParams }>('/simulations/:id/metrics', { schema: metricsRoute.schema }, async (request, reply) => {
    const query = readQuery<MetricsQuery>(request, metricsRoute.query);
    return unwrap(await simulations.metrics(await caller.call(request, reply), request.params.id, query));
  });

  app.get<{ Params: IdParams }>('/simulations/:id/analysis', { schema: simulationIdRoute.schema }, async (request, reply) =>
    unwrap(await simulations.analysis(await caller.call(request, reply), request.params.id)),
  );

  app.get('/simulations', { schema: historyRoute.schema }, async (request, reply) =>
    unwrap(await simulations.history(await caller.call(request, reply), '', readQuery<HistoryQuery>(request, historyRoute.query))),
  );

  app.get<{ Params: IdParams }>('/projects/:id/simulations', { schema: projectHistoryRoute.schema }, async (request, reply) => {
    const query = readQuery<HistoryQuery>(request, projectHistoryRoute.query);
    return unwrap(await simulations.history(await caller.call(request, reply), request.params.id, query));
  });
};
