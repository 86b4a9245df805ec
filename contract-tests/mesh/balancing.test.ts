import { afterEach, describe, expect, it } from 'vitest';
import type { BalancerKind } from '../../core/resilience/balancer.js';
import { waitFor } from '../messaging/wait.js';
import { startAuthBackend, tokenRequest, type AuthBackend } from './auth-backend.js';
import { authMeshClient, steadyLoad } from './mesh-fixture.js';

describe('balancing across instances', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** Share of `calls` served by the slow one of a fast and a slow (100 ms) instance, with this balancer. */
  const slowShare = async (balancer: BalancerKind, calls: number) => {
    const fast = await startAuthBackend({ delayMs: 0 });
    const slow = await startAuthBackend({ delayMs: 100 });
    const backends: AuthBackend[] = [fast, slow];
    cleanup.push(() => backends.forEach((backend) => backend.server.server.forceShutdown()));
    const { mesh } = authMeshClient({ fast: fast.server.address, slow: slow.server.address }, { balancer });
    cleanup.push(() => mesh.close());
    await waitFor(() => mesh.snapshot().instances.every((i) => i.pool.readyConnections > 0), 10_000, 'connections');

    const load = steadyLoad(4, () => mesh.call('validateToken', tokenRequest()));

    cleanup.push(() => load.stop());
    await waitFor(() => fast.served() + slow.served() >= calls, 20_000, `${calls} calls`);
    const outcomes = await load.stop();

    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    return slow.served() / (fast.served() + slow.served());
  };

  it('round-robin sends the slow instance its full half of the calls', async () => {
    expect(await slowShare('round_robin', 100)).toBeGreaterThan(0.4);
  });

  it('power of two choices over peak-EWMA latency sends the slow instance few calls', async () => {
    expect(await slowShare('p2c_peak_ewma', 300)).toBeLessThan(0.15);
  });
});
