import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../messaging/wait.js';
import { startAuthBackend, tokenRequest } from './auth-backend.js';
import { authMeshClient } from './mesh-fixture.js';

/** One connection carrying two calls, one more may wait. */
const tinyPool = {
  scaling: { minConnections: 1, maxConnections: 1 },
  maxStreamsPerConnection: 2,
  maxPendingCalls: 1,
};

/** `MeshClient.call` is admitted by the pool itself, its only admission path (docs/adr/0024, 0026). */
describe('calls admitted by the pool', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const stalledPool = async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const backend = await startAuthBackend({ gate });
    cleanup.push(() => backend.server.server.forceShutdown());
    const { mesh } = authMeshClient({ a: backend.server.address }, tinyPool);
    cleanup.push(
      () => mesh.close(),
      () => release(),
    );
    await waitFor(() => mesh.snapshot().instances[0]!.pool.readyConnections === 1, 10_000, 'a ready connection');
    return { backend, mesh, release };
  };

  it('answers a call the full pool refuses at once with a failure, without throwing or reaching the target', async () => {
    const { backend, mesh, release } = await stalledPool();
    const admitted = [mesh.call('validateToken', tokenRequest()), mesh.call('validateToken', tokenRequest())];
    await waitFor(() => backend.served() === 2, 10_000, 'two calls at the stalled backend');
    const waiting = mesh.call('validateToken', tokenRequest());
    const started = Date.now();

    // With a signal, as a call made while serving a gRPC call carries one.
    const refused = await mesh.call('validateToken', tokenRequest(), { signal: new AbortController().signal });

    expect(refused.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(mesh.snapshot().instances[0]!.pool).toMatchObject({ inFlight: 2, queueDepth: 1, rejected: 1 });
    release();
    expect((await Promise.all([...admitted, waiting])).map((answer) => answer.ok)).toEqual([true, true, true]);
    expect(backend.served()).toBe(3);
  });

  it('counts every call against the one admission, the waiting ones too', async () => {
    const { backend, mesh, release } = await stalledPool();
    const viaCall = mesh.call('validateToken', tokenRequest());
    const viaClient = mesh.call('validateToken', tokenRequest());
    await waitFor(() => backend.served() === 2, 10_000, 'two calls at the stalled backend');

    const third = mesh.call('validateToken', tokenRequest());
    await waitFor(() => mesh.snapshot().instances[0]!.pool.queueDepth === 1, 5_000, 'the third call waiting');

    expect(mesh.snapshot().instances[0]!.pool.inFlight).toBe(2);
    release();
    await Promise.all([viaCall, viaClient, third]);
    expect(mesh.snapshot().instances[0]!.pool).toMatchObject({ inFlight: 0, queueDepth: 0 });
  });
});
