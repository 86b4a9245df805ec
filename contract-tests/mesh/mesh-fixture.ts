import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { MeshClient } from '../../adapters/grpc/mesh/mesh-client.js';
import type { MeshSettingsOverrides } from '../../adapters/grpc/mesh/mesh-options.js';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { FixedInstanceSource, instanceAt } from './test-instances.js';

/**
 * A mesh client of AuthService clients over the given instance addresses, with its own instance
 * source. `service` names the target for priorities and defaults (an auth backend can stand in for
 * any service: the mesh client does not look inside the calls).
 */
export const meshClientFor = (
  service: string,
  addresses: Readonly<Record<string, string>>,
  settings: MeshSettingsOverrides = {},
  scaler = new GlobalConnectionScaler(),
) => {
  const instances = new FixedInstanceSource();
  instances.set(
    service,
    Object.entries(addresses).map(([id, address]) => instanceAt(service, id, address)),
  );
  const mesh = new MeshClient(AuthServiceClient, { service, instances, scaler, settings });
  return { mesh, instances, scaler };
};

/** A mesh client for `auth` over the given instance addresses. */
export const authMeshClient = (
  addresses: Readonly<Record<string, string>>,
  settings: MeshSettingsOverrides = {},
  scaler = new GlobalConnectionScaler(),
) => meshClientFor('auth', addresses, settings, scaler);

/**
 * Runs `call` with `concurrency` callers until `stop()` is called; resolves with every outcome.
 * Each caller yields to the event loop between calls, so calls that fail without any I/O (no
 * instance left, pool closed) cannot starve timers and sockets.
 */
export const steadyLoad = <T>(concurrency: number, call: () => Promise<T>) => {
  let running = true;
  const outcomes: T[] = [];
  const workers = Array.from({ length: concurrency }, async () => {
    while (running) {
      outcomes.push(await call());
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  return {
    outcomes,
    stop: async (): Promise<T[]> => {
      running = false;
      await Promise.all(workers);
      return outcomes;
    },
  };
};
