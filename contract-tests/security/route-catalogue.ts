import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifySchema, HTTPMethods } from 'fastify';

/** One route as fastify registered it. */
export interface CataloguedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: FastifySchema | undefined;
}

/**
 * Every route of every fastify instance created in this process while the catalogue listens,
 * found by an `onRoute` hook installed through fastify's `fastify.initialization` diagnostics
 * channel: routes added later by anyone are covered without a list to keep up to date.
 */
export class RouteCatalogue {
  private readonly apps: { readonly app: FastifyInstance; readonly routes: CataloguedRoute[] }[] = [];

  private constructor(private readonly withHead: boolean) {}

  private readonly onInit = (message: unknown): void => {
    const app = (message as { fastify: FastifyInstance }).fastify;
    const routes: CataloguedRoute[] = [];
    app.addHook('onRoute', (options) => {
      const methods = ([] as HTTPMethods[]).concat(options.method);
      for (const method of methods) {
        // fastify adds HEAD beside every GET by itself.
        if (method !== 'HEAD' || this.withHead) routes.push({ method, url: options.url, schema: options.schema });
      }
    });
    this.apps.push({ app, routes });
  };

  /** `head`: keep the HEAD routes fastify adds beside each GET too. */
  static listen(options: { readonly head?: boolean } = {}): RouteCatalogue {
    const catalogue = new RouteCatalogue(options.head ?? false);
    subscribe('fastify.initialization', catalogue.onInit);
    return catalogue;
  }

  stop(): void {
    unsubscribe('fastify.initialization', this.onInit);
  }

  /** The routes of the app listening on `port`; throws if no catalogued app listens there. */
  routesOnPort(port: number): readonly CataloguedRoute[] {
    const found = this.apps.find(({ app }) => {
      const address = app.server.address() as AddressInfo | string | null;
      return typeof address === 'object' && address?.port === port;
    });
    if (!found) throw new Error(`no fastify app created while the catalogue listened serves port ${port}`);
    return found.routes;
  }
}
