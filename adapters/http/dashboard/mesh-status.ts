import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The mesh as the dashboard shows it (`GET /mesh/status`): no addresses, only what an operator watches. */
export interface MeshStatus {
  readonly registry: 'memory' | 'redis';
  /** Epoch ms. */
  readonly observed_at: number;
  readonly services: readonly ServiceStatus[];
}

export interface ServiceStatus {
  readonly service: string;
  readonly instances: readonly InstanceStatusView[];
  /** This process's health checks of the service; null when it does not call it. */
  readonly health_checks: { readonly checks: number; readonly failures: number; readonly unhealthy: number } | null;
}

export interface InstanceStatusView {
  readonly instance_id: string;
  /** As discovery sees it: the registry's status overlaid with this process's health checks. */
  readonly status: string;
  readonly in_rotation: boolean;
  /** Epoch ms. */
  readonly started_at: number;
  /** This process's connection pool to the instance; null when it has none. */
  readonly pool: { readonly connections: number; readonly ready: number; readonly in_flight: number; readonly queue_depth: number } | null;
  /** The breaker of this process's client for the instance: closed, open or half_open; null without a client. */
  readonly breaker: string | null;
  readonly calls: number;
}

export interface MeshStatusDeps {
  /** Throws the 401/429 failure when the request has no valid bearer token. */
  readonly identify: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  readonly status: () => MeshStatus;
}

/** `GET /mesh/status` for signed-in users: instances per service with health, pools and breakers, as this process sees them. */
export const registerMeshStatusRoute = (app: FastifyInstance, deps: MeshStatusDeps): void => {
  app.get('/mesh/status', async (request, reply) => {
    await deps.identify(request, reply);
    return reply.header('cache-control', 'no-store').send(deps.status());
  });
};
