import type { BalancerKind } from '../../core/resilience/balancer.js';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { AuthServiceClient } from '../../adapters/grpc/generated/auth.js';
import { MeshClient } from '../../adapters/grpc/mesh/mesh-client.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { startAuthBackend, tokenRequest, type AuthBackend } from '../../contract-tests/mesh/auth-backend.js';
import { FixedInstanceSource, instanceAt } from '../../contract-tests/mesh/test-instances.js';
import { percentile, row, sleep, type BenchScenario } from '../support/bench-types.js';
import { closedLoop } from '../support/closed-loop.js';

const FAST_MS = 2;
const SLOW_MS = 50;
const CALLERS = 16;
const LOAD_MS = 2_000;

/** 16 callers for 2 s over two fast instances and a slow one, with the given balancer. */
const balanced = async (balancer: BalancerKind, backends: readonly AuthBackend[]) => {
  const instances = new FixedInstanceSource();
  instances.set(
    'auth',
    backends.map((backend, i) => instanceAt('auth', `${i}`, backend.server.address)),
  );
  const mesh = new MeshClient(AuthServiceClient, {
    service: 'auth',
    instances,
    scaler: new GlobalConnectionScaler(),
    settings: { balancer },
    logger: createLogger('bench', 'silent'),
  });
  try {
    while (!mesh.snapshot().instances.every((instance) => instance.pool.readyConnections >= 5)) await sleep(5);
    const served = backends.map((backend) => backend.served());
    const load = closedLoop(CALLERS, async () => (await mesh.call('validateToken', tokenRequest())).ok);
    await sleep(LOAD_MS);
    const samples = await load.stop();
    const counts = backends.map((backend, i) => backend.served() - served[i]!);
    const latencies = samples.map((sample) => sample.latencyMs);
    return {
      throughput: samples.length / (LOAD_MS / 1_000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      slowShare: (100 * counts[2]!) / counts.reduce((sum, count) => sum + count, 0),
    };
  } finally {
    mesh.close();
  }
};

/**
 * What each balancer does when one instance of three is slow (two answer in 2 ms, one in 50 ms):
 * round-robin (the specification's default, docs/specification.md#the-mesh-client; the baseline) keeps sending the slow one its third;
 * power of two choices over peak-EWMA latency (the Finagle/Linkerd default) mostly avoids it.
 */
export const scenario: BenchScenario = {
  name: 'mesh-balancers',
  title: 'Balancers with one slow instance of three: round-robin against P2C peak-EWMA',
  run: async ({ rounds }) => {
    const backends = await Promise.all([
      startAuthBackend({ delayMs: FAST_MS }),
      startAuthBackend({ delayMs: FAST_MS }),
      startAuthBackend({ delayMs: SLOW_MS }),
    ]);
    try {
      const p2c: Awaited<ReturnType<typeof balanced>>[] = [];
      const roundRobin: Awaited<ReturnType<typeof balanced>>[] = [];
      for (let round = 0; round < rounds; round += 1) {
        roundRobin.push(await balanced('round_robin', backends));
        p2c.push(await balanced('p2c_peak_ewma', backends));
      }
      const baseline = (pick: (result: (typeof p2c)[number]) => number) => ({ name: 'round-robin', rounds: roundRobin.map(pick) });
      return {
        method: `Three backends in this process (${FAST_MS}, ${FAST_MS} and ${SLOW_MS} ms), ${CALLERS} closed-loop callers for ${LOAD_MS} ms per balancer and round. Ours is P2C peak-EWMA.`,
        rows: [
          row({
            metric: 'throughput',
            unit: 'calls/s',
            rounds: p2c.map((r) => r.throughput),
            baseline: baseline((r) => r.throughput),
            better: 'higher',
          }),
          row({ metric: 'p50 latency', unit: 'ms', rounds: p2c.map((r) => r.p50), baseline: baseline((r) => r.p50), better: 'lower' }),
          row({ metric: 'p99 latency', unit: 'ms', rounds: p2c.map((r) => r.p99), baseline: baseline((r) => r.p99), better: 'lower' }),
          row({
            metric: 'share of calls sent to the slow instance',
            unit: '%',
            rounds: p2c.map((r) => r.slowShare),
            baseline: baseline((r) => r.slowShare),
            better: 'lower',
          }),
        ],
      };
    } finally {
      for (const backend of backends) backend.server.server.forceShutdown();
    }
  },
};
