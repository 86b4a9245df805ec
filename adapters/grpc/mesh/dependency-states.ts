import type { MeshClientSnapshot } from './mesh-metrics.js';

/**
 * How each dependency can be reached now, in gRPC's connectivity words, for a HealthCheck's
 * `details`: `READY` when an instance in rotation has a ready connection, `CONNECTING` while one is
 * still connecting, `TRANSIENT_FAILURE` when every instance lost its connections, `NO_INSTANCE`
 * when discovery knows none. Read from the pools: a health probe never dials anything.
 */
export const dependencyStates = (clients: Readonly<Record<string, { snapshot(): MeshClientSnapshot }>>): Record<string, string> =>
  Object.fromEntries(Object.entries(clients).map(([name, client]) => [name, stateOf(client.snapshot())]));

const stateOf = (snapshot: MeshClientSnapshot): string => {
  const { instances } = snapshot;
  if (instances.length === 0) return 'NO_INSTANCE';
  if (instances.some((instance) => instance.inRotation && !instance.ejected && instance.pool.readyConnections > 0)) return 'READY';
  if (instances.some((instance) => !instance.ejected)) return 'CONNECTING';
  return 'TRANSIENT_FAILURE';
};
