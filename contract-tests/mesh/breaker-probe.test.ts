import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../messaging/wait.js';
import { meshCallOutcome, startAuthBackend, tokenRequest } from './auth-backend.js';
import { authMeshClient } from './mesh-fixture.js';

/** The half-open probe of an instance's breaker, through the mesh client (core/resilience/circuit-breaker.ts). */
describe('the half-open probe of a breaker', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('goes to the next call at once when the call that claimed it never left (cancelled before it was sent)', async () => {
    const backend = await startAuthBackend({ failing: true });
    cleanup.push(() => backend.server.server.forceShutdown());
    // A lost probe would hold the instance for a minute: only its release lets the next call through.
    const { mesh } = authMeshClient(
      { a: backend.server.address },
      { breaker: { minimumCalls: 2, coolDownMs: 200, probeTimeoutMs: 60_000 } },
    );
    cleanup.push(() => mesh.close());
    const breaker = () => mesh.snapshot().instances[0]!.breaker;
    for (let i = 0; i < 4 && breaker() !== 'open'; i += 1) await meshCallOutcome(mesh);
    expect(breaker()).toBe('open');
    backend.behaviour.failing = false;
    await waitFor(() => breaker() === 'half_open', 5_000, 'the cool-down');
    const served = backend.served();

    const cancelled = new AbortController();
    cancelled.abort();
    await mesh.call('validateToken', tokenRequest(), { signal: cancelled.signal }).catch(() => undefined);
    expect(backend.served()).toBe(served);

    expect((await meshCallOutcome(mesh)).outcome).toBe('ok');
    expect(breaker()).toBe('closed');
  });
});
