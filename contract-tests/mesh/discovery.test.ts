import { afterEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../core/shared/errors.js';
import { waitFor } from '../messaging/wait.js';
import { startAuthBackend, tokenRequest } from './auth-backend.js';
import { startCountingProxy } from './counting-proxy.js';
import { authMeshClient, steadyLoad } from './mesh-fixture.js';
import { instanceAt } from './test-instances.js';

describe('following the instances of a service', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('sends traffic to an instance as soon as it is announced, and closes the connections of one that left', async () => {
    const a = await startAuthBackend();
    const b = await startAuthBackend();
    const proxyToB = await startCountingProxy(b.server.port);
    cleanup.push(
      () => a.server.server.forceShutdown(),
      () => b.server.server.forceShutdown(),
      () => proxyToB.close(),
    );
    const { mesh, instances } = authMeshClient({ a: a.server.address });
    cleanup.push(() => mesh.close());
    const load = steadyLoad(3, () => mesh.call('validateToken', tokenRequest()));
    cleanup.push(() => load.stop());
    await waitFor(() => a.served() > 20, 10_000, 'traffic on a');

    const announcedAt = Date.now();
    instances.add(instanceAt('auth', 'b', proxyToB.address));
    await waitFor(() => b.served() > 0, 5_000, 'traffic on b');
    const firstCallAfterMs = Date.now() - announcedAt;
    instances.remove('auth', 'b');
    await waitFor(() => proxyToB.open() === 0, 5_000, 'the connections to b closed');
    const outcomes = await load.stop();

    expect(firstCallAfterMs).toBeLessThan(1_000);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(mesh.snapshot().instances.map((i) => i.instanceId)).toEqual(['a']);
  });

  it('throws DependencyUnavailableError when the service has no instance (docs/adr/0027)', async () => {
    const { mesh } = authMeshClient({});
    cleanup.push(() => mesh.close());

    const thrown = await mesh.call('validateToken', tokenRequest()).catch((error: unknown) => error);

    expect(thrown).toBeInstanceOf(DependencyUnavailableError);
    expect(thrown).toMatchObject({ dependency: 'auth', failure: { kind: 'unavailable', code: 'no_instance_available' } });
  });
});
