import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimiter } from '../../../core/gateway/index.js';
import { allowCors, type CorsOptions } from '../gateway/cors.js';
import { limitByAddress } from '../gateway/rate-limits.js';
import { addSecurityHeaders, type SecurityHeaderOptions } from '../gateway/security-headers.js';

/** What guards a port that serves the client API: the gateway's and every service's own (docs/adr/0029). */
export interface ClientDefences {
  readonly cors: CorsOptions;
  readonly security: SecurityHeaderOptions;
  /** Counts every request against its client's address before anything else runs. */
  readonly perAddress: RateLimiter;
  /** The client's address; default the peer (`request.ip`). A service behind the gateway names the forwarded client. */
  readonly addressOf?: (request: FastifyRequest) => string;
}

/** Security headers, CORS with an allow-list and a per-address rate limit on every request of `app`. */
export const addClientDefences = (app: FastifyInstance, defences: ClientDefences): void => {
  addSecurityHeaders(app, defences.security);
  allowCors(app, defences.cors);
  limitByAddress(app, defences.perAddress, defences.addressOf);
};
