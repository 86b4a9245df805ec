import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainFailureError, failure } from '../../../core/shared/errors.js';
import type { DashboardAsset } from './dashboard-assets.js';

/**
 * The page may load scripts and styles only from the gateway itself and open connections only to
 * it (fetch and its WebSockets; `'self'` alone does not cover `ws:` in every browser).
 */
export const dashboardCsp = (host: string): string => {
  // The Host header is the client's word: only a plain host[:port] goes into the policy.
  const sockets = /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self'${sockets}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
};

const send = (request: FastifyRequest, reply: FastifyReply, asset: DashboardAsset): FastifyReply => {
  reply.header('etag', asset.etag).header('cache-control', asset.cacheControl);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
};

/**
 * `GET /` (the page) and `GET /dashboard/<file>` (its scripts, styles and uPlot), from memory with
 * ETags. Registered as an encapsulated plugin: its CSP replaces the gateway's generic one for
 * these answers only (its onSend hook runs after the gateway's).
 */
export const registerDashboardRoutes = async (app: FastifyInstance, assets: ReadonlyMap<string, DashboardAsset>): Promise<void> => {
  const index = assets.get('index.html');
  if (!index) throw new Error("the dashboard's index.html is missing");
  app.addHook('onSend', async (request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) reply.header('content-security-policy', dashboardCsp(request.host));
    return payload;
  });
  app.get('/', async (request, reply) => send(request, reply, index));
  app.get<{ Params: { '*': string } }>('/dashboard/*', async (request, reply) => {
    const asset = assets.get(request.params['*']);
    if (!asset) throw new DomainFailureError(failure('not_found', 'asset_not_found', `The dashboard has no file ${request.params['*']}.`));
    return send(request, reply, asset);
  });
};
