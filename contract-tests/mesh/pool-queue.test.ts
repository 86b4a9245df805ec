import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../messaging/wait.js';
import { meshCallOutcome, startAuthBackend, tokenRequest } from './auth-backend.js';
import { authMeshClient } from './mesh-fixture.js';

/** One connection carrying two calls, three more may wait: the sixth call has nowhere to go. */
const tinyPool = {
  scaling: { minConnections: 1, maxConnections: 1 },
  maxStreamsPerConnection: 2,
  maxPendingCalls: 3,
};

describe('the bounded pending queue of a pool', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const stalledBackend = async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const backend = await startAuthBackend({ gate });
    cleanup.push(() => backend.server.server.forceShutdown());
    return { backend, release };
  };

  it('refuses calls at once with RESOURCE_EXHAUSTED when the queue is full, and serves the queued ones later', async () => {
    const { backend, release } = await stalledBackend();
    const { mesh } = authMeshClient({ a: backend.server.address }, tinyPool);
    cleanup.push(() => mesh.close());
    await waitFor(() => mesh.snapshot().instances[0]!.pool.readyConnections === 1, 10_000, 'a ready connection');

    const admitted = Array.from({ length: 5 }, () => meshCallOutcome(mesh));
    await waitFor(() => backend.served() === 2, 10_000, 'two calls at the stalled backend');
    const refused = await Promise.all(Array.from({ length: 4 }, () => meshCallOutcome(mesh, 10_000)));

    expect(refused.map((r) => r.outcome)).toEqual(Array(4).fill('resource_exhausted'));
    expect(Math.max(...refused.map((r) => r.ms))).toBeLessThan(1_000);
    expect(mesh.snapshot().instances[0]!.pool).toMatchObject({ inFlight: 2, queueDepth: 3, rejected: 4 });

    release();
    expect((await Promise.all(admitted)).map((r) => r.outcome)).toEqual(Array(5).fill('ok'));
    expect(backend.served()).toBe(5);
  });

  it('ends a queued call at its deadline without it ever reaching the target', async () => {
    const { backend, release } = await stalledBackend();
    const { mesh } = authMeshClient({ a: backend.server.address }, tinyPool);
    cleanup.push(() => mesh.close(), release);
    await waitFor(() => mesh.snapshot().instances[0]!.pool.readyConnections === 1, 10_000, 'a ready connection');
    void meshCallOutcome(mesh);
    void meshCallOutcome(mesh);
    await waitFor(() => backend.served() === 2, 10_000, 'two calls at the stalled backend');

    const queued = await meshCallOutcome(mesh, 200);

    expect(queued.outcome).toMatch(/DEADLINE_EXCEEDED/);
    expect(backend.served()).toBe(2);
    expect(mesh.snapshot().instances[0]!.pool.queueDepth).toBe(0);
  });

  it('answers a cancelled queued call with CANCELLED and frees its place', async () => {
    const { backend, release } = await stalledBackend();
    const { mesh } = authMeshClient({ a: backend.server.address }, tinyPool);
    cleanup.push(() => mesh.close(), release);
    await waitFor(() => mesh.snapshot().instances[0]!.pool.readyConnections === 1, 10_000, 'a ready connection');
    void meshCallOutcome(mesh);
    void meshCallOutcome(mesh);
    await waitFor(() => backend.served() === 2, 10_000, 'two calls at the stalled backend');
    const controller = new AbortController();

    const pending = mesh.call('validateToken', tokenRequest(), { signal: controller.signal });
    await waitFor(() => mesh.snapshot().instances[0]!.pool.queueDepth === 1, 5_000, 'the call waiting');
    controller.abort();
    await expect(pending).rejects.toMatchObject({ failure: { kind: 'unavailable' } });
    expect(mesh.snapshot().instances[0]!.pool.queueDepth).toBe(0);
    expect(backend.served()).toBe(2);
  });
});
