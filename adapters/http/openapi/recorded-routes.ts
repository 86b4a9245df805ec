import type { FastifyInstance, HTTPMethods } from 'fastify';

/** One route as fastify registered it: method, URL pattern (`/projects/:id`) and the schema it validates with. */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: unknown;
}

/**
 * Every route `app` registers from now on, HEAD routes fastify adds beside each GET included:
 * what the API reference is generated from (docs/adr/0049). Call before registering any route.
 */
export const recordRoutes = (app: FastifyInstance): readonly RegisteredRoute[] => {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (options) => {
    for (const method of ([] as HTTPMethods[]).concat(options.method)) routes.push({ method, url: options.url, schema: options.schema });
  });
  return routes;
};
