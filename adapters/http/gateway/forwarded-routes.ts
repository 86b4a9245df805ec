import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallerCheck } from './caller.js';
import type { HttpForwarder } from './http-forwarder.js';
import { AUTH_BODY_LIMIT } from '../client-api/auth-api.js';
import type { IdParams } from '../client-api/common.js';
import { exportIdRoute, projectReportRoute, simulationExportRoute, type SimulationExportBody } from '../client-api/export-api.js';

/** The HTTP/2 ports (`host:port`) of the services whose client routes the gateway passes on. */
export interface ForwardTargets {
  readonly auth: () => string;
  readonly project: () => string;
}

/**
 * Routes served by the services' own HTTP ports, passed on unchanged: the auth API (whose rules,
 * answers and problems stay the auth service's), and reports and exports, which the project
 * service owns and no rpc covers.
 */
export const registerForwardedRoutes = async (
  app: FastifyInstance,
  caller: CallerCheck,
  forwarder: HttpForwarder,
  targets: ForwardTargets,
): Promise<void> => {
  await app.register(async (auth) => {
    // Bodies go to the auth service as the client sent them: it validates them and answers the problems.
    auth.removeContentTypeParser('application/json');
    auth.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: AUTH_BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    const toAuth = (request: FastifyRequest, reply: FastifyReply) =>
      forwarder.forward(request, reply, { service: 'auth', target: targets.auth(), path: request.url });
    auth.post('/auth/register', toAuth);
    auth.post('/auth/login', toAuth);
    auth.post('/auth/refresh', toAuth);
    auth.post('/auth/logout', toAuth);
    auth.get('/auth/profile', toAuth);
    auth.patch('/auth/profile', toAuth);
  });

  app.post<{ Params: IdParams; Body: Record<string, unknown> | null | undefined }>(
    '/projects/:id/reports',
    { onRequest: caller.guard, schema: projectReportRoute.schema },
    async (request, reply) => {
      await caller.identify(request, reply);
      return forwarder.forward(request, reply, {
        service: 'project',
        target: targets.project(),
        path: `/projects/${encodeURIComponent(request.params.id)}/reports`,
        body: request.body ?? {},
      });
    },
  );

  app.post<{ Params: IdParams; Body: SimulationExportBody | null | undefined }>(
    '/simulations/:id/exports',
    { onRequest: caller.guard, schema: simulationExportRoute.schema },
    async (request, reply) => {
      await caller.identify(request, reply);
      const format = request.body?.format;
      return forwarder.forward(request, reply, {
        service: 'project',
        target: targets.project(),
        path: '/exports',
        method: 'POST',
        body: { kind: 'simulation_results', simulation_id: request.params.id, ...(format !== undefined && { format }) },
      });
    },
  );

  app.get<{ Params: IdParams }>('/exports/:id', { onRequest: caller.guard, schema: exportIdRoute.schema }, async (request, reply) => {
    await caller.identify(request, reply);
    return forwarder.forward(request, reply, {
      service: 'project',
      target: targets.project(),
      path: `/exports/${encodeURIComponent(request.params.id)}`,
    });
  });
};
