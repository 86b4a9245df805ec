import { createServer } from 'node:net';

/** Redis Cluster nodes also bind `port + 10000` for the cluster bus. */
export const clusterBusOffset = 10_000;

/**
 * Above the mesh's default ports (8000-11001, which main.e2e binds) and below Linux's ephemeral
 * range (32768-60999 by default), cluster bus ports included: an outgoing connection of another
 * test could otherwise take a port between our check and our bind.
 */
const lowestPort = 12_000;
const highestPort = 22_000;

const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * `count` consecutive free ports on 127.0.0.1, each with `port + busOffset` free too when asked.
 * Another process may still take a port before the caller binds it: callers retry on a failed bind.
 */
export const findFreePorts = async (count: number, options: { readonly withClusterBus?: boolean } = {}): Promise<number[]> => {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const base = lowestPort + Math.floor(Math.random() * (highestPort - lowestPort - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const needed = options.withClusterBus ? [...ports, ...ports.map((p) => p + clusterBusOffset)] : ports;
    const free = await Promise.all(needed.map(isFree));
    if (free.every(Boolean)) return ports;
  }
  throw new Error(`no ${count} consecutive free ports found between ${lowestPort} and ${highestPort}`);
};
