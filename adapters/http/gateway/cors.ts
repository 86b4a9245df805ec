import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainFailureError, failure } from '../../../core/shared/errors.js';

export interface CorsOptions {
  /** Origins (`scheme://host[:port]`) allowed besides the gateway's own; `*` allows any. Empty: same-origin only. */
  readonly allowedOrigins: readonly string[];
}

const ALLOWED_METHODS = 'GET, POST, PATCH, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'authorization, content-type, x-request-id, traceparent, idempotency-key';
const EXPOSED_HEADERS = 'x-request-id, traceparent, retry-after, idempotency-key';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

const sameOrigin = (origin: string, request: FastifyRequest): boolean =>
  origin === `http://${request.host}` || origin === `https://${request.host}`;

/**
 * CORS with an allow-list. A request from a browser page of another origin that is not allowed
 * is refused with 403 (the client API uses bearer tokens, never cookies, but a refusal is clearer
 * than a response the browser hides); preflights are answered here, before routing.
 */
export const allowCors = (app: FastifyInstance, options: CorsOptions): void => {
  const anyOrigin = options.allowedOrigins.includes('*');
  const allowed = new Set(options.allowedOrigins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || sameOrigin(origin, request)) return;
    if (!anyOrigin && !allowed.has(origin)) {
      throw new DomainFailureError(failure('forbidden', 'cors_origin_denied', `Origin ${origin} may not call this API.`));
    }
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'origin');
    reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      reply.header('access-control-allow-methods', ALLOWED_METHODS);
      reply.header('access-control-allow-headers', ALLOWED_HEADERS);
      reply.header('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
      return reply.code(204).send();
    }
  });
};
