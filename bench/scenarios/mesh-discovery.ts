import { Discovery } from '../../core/discovery/discovery.js';
import type { InstanceRecord } from '../../core/discovery/ports.js';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { MeshClient } from '../../adapters/grpc/mesh/mesh-client.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { openRedisRegistry } from '../../contract-tests/discovery/redis-registries.js';
import { startAuthBackend, tokenRequest } from '../../contract-tests/mesh/auth-backend.js';
import { startRedisNode } from '../../test-support/redis-fixture.js';
import { row, sleep, type BenchScenario } from '../support/bench-types.js';
import { closedLoop } from '../support/closed-loop.js';

const TTL_MS = 10_000;
/** The pool's minimum of warm connections per instance (docs/specification.md#numbers). */
const WARM_CONNECTIONS = 5;

const recordOf = (instanceId: string, port: number): InstanceRecord => ({
  service: 'auth',
  instanceId,
  host: '127.0.0.1',
  grpcPort: port,
  httpPort: 0,
  status: 'healthy',
  startedAt: Date.now(),
});

const until = async (predicate: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await sleep(1);
  }
};

/**
 * Discovery on a real Redis: a mesh client follows the registry (Discovery over a
 * RedisServiceRegistry on connections of its own, as another process would) while 4 callers
 * load it; a new instance registers, and the time to the first call it serves is measured. The
 * baseline is a bare watch on a third set of connections: the registry's own notification hop.
 */
export const scenario: BenchScenario = {
  name: 'mesh-discovery',
  title: 'Discovery: registration to first routed call, on Redis',
  run: async ({ rounds }) => {
    const redis = await startRedisNode();
    const writer = openRedisRegistry(redis.config, 'bench-writer');
    const reader = openRedisRegistry(redis.config, 'bench-reader');
    const watcher = openRedisRegistry(redis.config, 'bench-watcher');
    const first = await startAuthBackend();
    let firstCallAt: number | undefined;
    const added = await startAuthBackend({ onCall: () => (firstCallAt ??= performance.now()) });
    let notifiedAt: number | undefined;
    let expected = '';
    const watch = await watcher.registry.watch('auth', (change) => {
      if (change.type === 'added' && change.instance.instanceId === expected) notifiedAt ??= performance.now();
    });
    const discovery = new Discovery(reader.registry, new SystemClock(), { services: ['auth'] });
    await discovery.start();
    const mesh = new MeshClient(AuthServiceClient, {
      service: 'auth',
      instances: discovery,
      scaler: new GlobalConnectionScaler(),
      logger: createLogger('bench', 'silent'),
    });
    const load = closedLoop(4, async () => (await mesh.call('validateToken', tokenRequest())).ok);
    try {
      await writer.registry.register(recordOf('first', first.server.port), TTL_MS);
      await until(() => first.served() > 50);
      const routed: number[] = [];
      const notified: number[] = [];
      const warmed: number[] = [];
      const removed: number[] = [];
      const readyOf = (instanceId: string): number =>
        mesh.snapshot().instances.find((instance) => instance.instanceId === instanceId)?.pool.readyConnections ?? 0;
      for (let round = -1; round < rounds; round += 1) {
        const instanceId = `added-${round + 1}`;
        [firstCallAt, notifiedAt, expected] = [undefined, undefined, instanceId];
        const registeredAt = performance.now();
        await writer.registry.register(recordOf(instanceId, added.server.port), TTL_MS);
        await until(() => firstCallAt !== undefined && notifiedAt !== undefined);
        await until(() => readyOf(instanceId) >= WARM_CONNECTIONS);
        const warmAt = performance.now();
        await writer.registry.deregister('auth', instanceId);
        const deregisteredAt = performance.now();
        await until(() => discovery.current('auth').length === 1 && mesh.snapshot().instances.length === 1);
        if (round >= 0) {
          routed.push(firstCallAt! - registeredAt);
          notified.push(notifiedAt! - registeredAt);
          warmed.push(warmAt - registeredAt);
          removed.push(performance.now() - deregisteredAt);
        }
        await sleep(100);
      }
      return {
        method:
          'Per round one registration of a new instance id (a backend in this process) while 4 closed-loop callers use the mesh client, timed to its first call and to its pool having its warm connections ready; then its deregistration, timed to its pool leaving the client.',
        rows: [
          row({
            metric: 'registration -> first call routed to the new instance',
            unit: 'ms',
            rounds: routed,
            baseline: { name: 'registration -> bare watch notified', rounds: notified },
            better: 'lower',
            target: '< 100 ms',
            meets: (value) => value < 100,
          }),
          row({
            metric: `registration -> the new instance's pool at its ${WARM_CONNECTIONS} warm connections, ready`,
            unit: 'ms',
            rounds: warmed,
            better: 'lower',
            target: '< 5000 ms (pool rebalancing after an instance change)',
            meets: (value) => value < 5_000,
          }),
          row({
            metric: "deregistration -> the instance's pool closed and out of rotation",
            unit: 'ms',
            rounds: removed,
            better: 'lower',
            target: '< 5000 ms (pool rebalancing after an instance change)',
            meets: (value) => value < 5_000,
          }),
        ],
      };
    } finally {
      await load.stop();
      mesh.close();
      await discovery.close();
      await watch.close();
      await Promise.all([writer.close(), reader.close(), watcher.close()]);
      first.server.server.forceShutdown();
      added.server.server.forceShutdown();
      await redis.stop();
    }
  },
};
