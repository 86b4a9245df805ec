import type { FastifyInstance } from 'fastify';
import type { OperationDoc, WebSocketDoc } from '../client-api/operation-doc.js';
import { API_REFERENCE_CSP, renderApiReference } from './api-reference-page.js';
import { generateOpenApiDocument, type GeneratedDocument } from './openapi-document.js';
import type { RegisteredRoute } from './recorded-routes.js';
import type { RequestLimits } from './refusals.js';
import { API_REFERENCE_PATH, OPENAPI_PATH } from './service-operations.js';

export interface ApiReferenceOptions {
  readonly service: string;
  /** What `recordRoutes(app)` recorded: every route of the port, these two included. */
  readonly routes: readonly RegisteredRoute[];
  readonly operations: readonly OperationDoc[];
  readonly limits: RequestLimits;
  readonly webSockets?: readonly WebSocketDoc[];
}

/**
 * `GET /openapi.json` and `GET /docs` (docs/adr/0049). Register after every other route: the
 * document is generated once the app is ready, from the routes it registered; a route no operation
 * documents is left out and logged.
 */
export const registerApiReference = (app: FastifyInstance, options: ApiReferenceOptions): void => {
  let generated: { readonly json: string; readonly page: string } | undefined;
  const generate = (): { readonly json: string; readonly page: string } => {
    if (generated) return generated;
    const outcome: GeneratedDocument = generateOpenApiDocument(options);
    if (outcome.undocumented.length > 0 || outcome.mismatched.length > 0) {
      app.log.warn(
        {
          undocumented: outcome.undocumented.map((route) => `${route.method} ${route.url}`),
          mismatched: outcome.mismatched,
        },
        'routes the API reference does not describe (docs/adr/0049)',
      );
    }
    generated = { json: JSON.stringify(outcome.document), page: renderApiReference(outcome.document) };
    return generated;
  };
  app.addHook('onReady', async () => {
    generate();
  });
  app.get(OPENAPI_PATH, async (_request, reply) => reply.type('application/json; charset=utf-8').send(generate().json));
  app.get(
    API_REFERENCE_PATH,
    {
      // After the client defences' generic policy: this page's own (one hashed inline style).
      onSend: async (_request, reply, payload) => {
        reply.header('content-security-policy', API_REFERENCE_CSP);
        return payload;
      },
    },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(generate().page),
  );
};
