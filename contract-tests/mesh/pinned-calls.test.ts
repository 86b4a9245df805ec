import { afterEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../core/shared/errors.js';
import { waitFor } from '../messaging/wait.js';
import { startAuthBackend, tokenRequest, type AuthBackend } from './auth-backend.js';
import { authMeshClient } from './mesh-fixture.js';

/** Calls pinned to one instance (a gateway forwarding to the gateway holding a socket: docs/adr/0052). */
describe('a call pinned to one instance', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  const twoBackends = async () => {
    const backends: AuthBackend[] = [await startAuthBackend(), await startAuthBackend()];
    cleanup.push(() => backends.forEach((backend) => backend.server.server.forceShutdown()));
    const { mesh } = authMeshClient({ one: backends[0]!.server.address, two: backends[1]!.server.address });
    cleanup.push(() => mesh.close());
    await waitFor(() => mesh.snapshot().instances.every((i) => i.pool.readyConnections > 0), 10_000, 'connections');
    return { mesh, one: backends[0]!, two: backends[1]! };
  };

  it('goes to that instance every time', async () => {
    const { mesh, one, two } = await twoBackends();
    for (let i = 0; i < 10; i += 1) expect((await mesh.call('validateToken', tokenRequest(), { instanceId: 'two' })).ok).toBe(true);
    expect(two.served()).toBe(10);
    expect(one.served()).toBe(0);
  });

  it('is not tried on another instance when that one fails, nor when it is unknown', async () => {
    const { mesh, one, two } = await twoBackends();
    two.behaviour.failing = true;

    await expect(mesh.call('validateToken', tokenRequest(), { instanceId: 'two' })).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(mesh.call('validateToken', tokenRequest(), { instanceId: 'three' })).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(two.served()).toBe(1);
    expect(one.served()).toBe(0);
  });
});
