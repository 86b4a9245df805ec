import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../../../core/gateway/index.js';
import { CallerCheck } from './caller.js';
import type { AdminBackend, ProjectBackend, SimulationBackend } from './client-api-ports.js';
import { registerAdminRoutes, type AdminRouteHooks } from './admin-routes.js';
import { addClientDefences } from '../client-api/client-defences.js';
import { addIdempotencyKeys } from '../client-api/idempotency-key-header.js';
import type { CorsOptions } from './cors.js';
import { registerForwardedRoutes, type ForwardTargets } from './forwarded-routes.js';
import type { HttpForwarder } from './http-forwarder.js';
import { registerProjectRoutes } from './project-routes.js';
import type { ClientRateLimits } from './rate-limits.js';
import type { SecurityHeaderOptions } from './security-headers.js';
import { registerSimulationRoutes } from './simulation-routes.js';

export interface GatewayRoutesDeps {
  readonly authenticator: Authenticator;
  readonly projects: ProjectBackend;
  readonly simulations: SimulationBackend;
  readonly admin: AdminBackend;
  readonly adminHooks: AdminRouteHooks;
  readonly forwarder: HttpForwarder;
  readonly forwardTargets: ForwardTargets;
  readonly limits: ClientRateLimits;
  readonly cors: CorsOptions;
  readonly security: SecurityHeaderOptions;
}

/**
 * The client API of the gateway: one place for clients. Every request gets security headers,
 * CORS, and a per-address rate limit; authenticated routes add a per-user one.
 */
export const registerGatewayRoutes = async (app: FastifyInstance, deps: GatewayRoutesDeps): Promise<void> => {
  addClientDefences(app, { cors: deps.cors, security: deps.security, perAddress: deps.limits.perAddress });
  addIdempotencyKeys(app);
  const caller = new CallerCheck(deps.authenticator, deps.limits.perUser);
  await app.register(async (authenticated) => {
    authenticated.addHook('onRequest', caller.guard);
    registerProjectRoutes(authenticated, caller, deps.projects);
    registerSimulationRoutes(authenticated, caller, deps.simulations, deps.projects);
    registerAdminRoutes(authenticated, caller, deps.admin, deps.adminHooks);
  });
  await registerForwardedRoutes(app, caller, deps.forwarder, deps.forwardTargets);
};
