import type { FastifyInstance } from 'fastify';

export interface SecurityHeaderOptions {
  /** A TLS proxy terminates in front of the gateway: send HSTS even on cleartext connections. */
  readonly behindTls: boolean;
}

const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The client API's security headers on every answer, errors included: no MIME sniffing, no
 * framing, no referrer; a CSP for HTML; HSTS only when the client reached us over TLS.
 */
export const addSecurityHeaders = (app: FastifyInstance, options: SecurityHeaderOptions): void => {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    if (options.behindTls || request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) reply.header('content-security-policy', "default-src 'self'");
    return payload;
  });
};
