import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.js';

export interface AdminServer {
  readonly address: { readonly host: string; readonly port: number };
  close(): Promise<void>;
}

/**
 * `GET /mesh`: this process's mesh as JSON (registrations, discovery, health checks, every client's
 * instances, pools, breakers and retries), on a port of its own (`MESH_ADMIN_PORT`) so that it
 * stays off the client-facing ports. Plain HTTP/1.1: it is for operators and scrapers.
 */
export const startAdminServer = async (host: string, port: number, report: () => unknown, logger: Logger): Promise<AdminServer> => {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/mesh') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found: GET /mesh"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(report()));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  logger.info({ host, port: bound.port }, `mesh admin on http://${host}:${bound.port}/mesh`);
  return {
    address: { host, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
