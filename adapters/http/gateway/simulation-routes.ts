import type { FastifyInstance } from 'fastify';
import { DomainFailureError, failure } from '../../../core/shared/errors.js';
import { unwrap } from '../unwrap.js';
import type { CallerCheck } from './caller.js';
import type {
  HistoryQuery,
  MetricsQuery,
  NewSimulationBody,
  ProjectBackend,
  ResultsQuery,
  SimulationBackend,
  ValidationBody,
} from './client-api-ports.js';
import { componentsSchema, idParams, idSchema, pageSizeSchema, pageTokenSchema, query, shortText, stringMapSchema } from './schemas.js';

interface IdParams {
  id: string;
}

const runShape = {
  configuration: stringMapSchema,
  components: componentsSchema,
  duration_seconds: { type: 'integer', minimum: 1, maximum: 86_400 },
} as const;

const historyQuery = query({ status: shortText(32), page_size: pageSizeSchema, page_token: pageTokenSchema });

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
  app.post<{ Body: NewSimulationBody }>(
    '/simulations',
    {
      schema: {
        body: {
          type: 'object',
          required: ['project_id'],
          additionalProperties: false,
          properties: { project_id: idSchema, enable_real_time: { type: 'boolean' }, ...runShape },
        },
      },
    },
    async (request, reply) => {
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
    },
  );

  app.post<{ Body: ValidationBody }>(
    '/simulations/validate',
    {
      schema: {
        body: { type: 'object', additionalProperties: false, properties: { project_id: idSchema, ...runShape } },
      },
    },
    async (request, reply) => unwrap(await simulations.validate(await caller.call(request, reply), request.body)),
  );

  app.get<{ Params: IdParams }>('/simulations/:id', { schema: { params: idParams } }, async (request, reply) =>
    unwrap(await simulations.status(await caller.call(request, reply), request.params.id)),
  );

  app.post<{ Params: IdParams; Body: { reason?: string } | undefined }>(
    '/simulations/:id/stop',
    {
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, properties: { reason: shortText(500) } },
      },
    },
    async (request, reply) =>
      unwrap(await simulations.stop(await caller.call(request, reply), request.params.id, request.body?.reason ?? '')),
  );

  app.get<{ Params: IdParams; Querystring: ResultsQuery }>(
    '/simulations/:id/results',
    {
      schema: {
        params: idParams,
        querystring: query({ include_samples: { type: 'boolean' }, max_samples: { type: 'integer', minimum: 0, maximum: 10_000 } }),
      },
    },
    async (request, reply) => unwrap(await simulations.results(await caller.call(request, reply), request.params.id, request.query)),
  );

  app.get<{ Params: IdParams; Querystring: MetricsQuery }>(
    '/simulations/:id/metrics',
    {
      schema: {
        params: idParams,
        querystring: query({ since: { type: 'integer', minimum: 0 }, max_samples: { type: 'integer', minimum: 0, maximum: 10_000 } }),
      },
    },
    async (request, reply) => unwrap(await simulations.metrics(await caller.call(request, reply), request.params.id, request.query)),
  );

  app.get<{ Params: IdParams }>('/simulations/:id/analysis', { schema: { params: idParams } }, async (request, reply) =>
    unwrap(await simulations.analysis(await caller.call(request, reply), request.params.id)),
  );

  app.get<{ Querystring: HistoryQuery }>('/simulations', { schema: { querystring: historyQuery } }, async (request, reply) =>
    unwrap(await simulations.history(await caller.call(request, reply), '', request.query)),
  );

  app.get<{ Params: IdParams; Querystring: HistoryQuery }>(
    '/projects/:id/simulations',
    { schema: { params: idParams, querystring: historyQuery } },
    async (request, reply) => unwrap(await simulations.history(await caller.call(request, reply), request.params.id, request.query)),
  );
};
