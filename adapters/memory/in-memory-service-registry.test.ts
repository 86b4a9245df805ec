import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegistryChange } from '../../core/discovery/ports.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { InMemoryServiceRegistry } from './in-memory-service-registry.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';

const record = {
  service: 'auth',
  instanceId: 'a1',
  host: '127.0.0.1',
  grpcPort: 9000,
  httpPort: 9001,
  status: 'healthy',
  startedAt: 0,
} as const;

describe('InMemoryServiceRegistry', () => {
  let clock: ManualClock;
  let registry: InMemoryServiceRegistry;
  beforeEach(() => {
    clock = new ManualClock();
    registry = new InMemoryServiceRegistry(clock, { sweepEveryMs: 10 });
  });
  afterEach(() => registry.close());

  it('expires records by its Clock, and its sweep tells watchers without anyone reading', async () => {
    const changes: RegistryChange[] = [];
    await registry.watch('auth', (change) => changes.push(change));
    await registry.register(record, 1_000);
    const expiresAt = clock.now() + 1_000;

    clock.advance(999);
    expect(await registry.list('auth')).toHaveLength(1);
    clock.advance(1);

    await waitFor(() => changes.length === 2, 2_000, 'the expiry');
    expect(changes[1]).toMatchObject({ type: 'removed', reason: 'expired', changedAt: expiresAt });
    expect(await registry.list('auth')).toEqual([]);
  });

  it('stamps each write with the Clock as the heartbeat time', async () => {
    await registry.register(record, 1_000);
    clock.advance(500);
    await registry.heartbeat(record, 1_000);

    expect((await registry.list('auth'))[0]!.lastHeartbeat).toBe(clock.now());
  });

  it('refuses a TTL that is not positive', async () => {
    await expect(registry.register(record, 0)).rejects.toThrow(RangeError);
  });
});
