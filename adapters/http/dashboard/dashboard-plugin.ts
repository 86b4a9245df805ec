import type { FastifyInstance } from 'fastify';
import type { DashboardAsset } from './dashboard-assets.js';
import { registerDashboardRoutes } from './dashboard-routes.js';
import { registerMeshStatusRoute, type MeshStatusDeps } from './mesh-status.js';

export interface DashboardOptions {
  readonly assets: ReadonlyMap<string, DashboardAsset>;
  /** `GET /mesh/status`, when the gateway runs inside a process mesh; without it the page's mesh view says so. */
  readonly meshStatus?: MeshStatusDeps;
}

/**
 * The live dashboard on the gateway's client port (docs/adr/0020): the page and its assets, and
 * the mesh status it polls. Register after the client API so the gateway's hooks (security
 * headers, CORS, rate limits) apply to it too.
 */
export const registerDashboard = async (app: FastifyInstance, options: DashboardOptions): Promise<void> => {
  await app.register(async (scope) => {
    await registerDashboardRoutes(scope, options.assets);
    if (options.meshStatus) registerMeshStatusRoute(scope, options.meshStatus);
  });
};
