import type { FastifyInstance } from 'fastify';

export interface BoundAddress {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, usable by HTTP/1.1 and h2c clients alike. */
  readonly url: string;
}

/**
 * Starts serving on `host:port`; port 0 picks a free port. Resolves with the address actually
 * bound. Stop with `app.close()`, which also closes idle keep-alive connections and HTTP/2 sessions.
 */
export const listenHttp = async (
  app: FastifyInstance,
  address: { readonly host: string; readonly port: number },
  /** The one log line fastify writes once listening; default "Server listening at <url>". */
  describe?: (url: string) => string,
): Promise<BoundAddress> => {
  await app.listen({ host: address.host, port: address.port, ...(describe && { listenTextResolver: describe }) });
  const bound = app.server.address();
  if (bound === null || typeof bound === 'string') throw new Error('the HTTP server is not bound to a TCP port');
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return { host: bound.address, port: bound.port, url: `http://${host}:${bound.port}` };
};
