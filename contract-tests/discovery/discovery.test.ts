import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryServiceRegistry } from '../../adapters/memory/in-memory-service-registry.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { Discovery } from '../../core/discovery/discovery.js';
import type { ServiceInstance } from '../../core/discovery/instance.js';
import { waitFor } from '../messaging/wait.js';
import { anInstance } from './builders.js';

const statuses = (instances: readonly ServiceInstance[]): string[] => instances.map((i) => `${i.instanceId}:${i.status}`);

describe('Discovery', () => {
  let clock: ManualClock;
  let registry: InMemoryServiceRegistry;
  let discovery: Discovery;

  beforeEach(() => {
    clock = new ManualClock();
    registry = new InMemoryServiceRegistry(clock);
  });
  afterEach(async () => {
    await discovery?.close();
    registry.close();
  });

  const start = async (services?: readonly string[]): Promise<Discovery> => {
    discovery = new Discovery(registry, clock, services ? { services } : {});
    await discovery.start();
    return discovery;
  };

  it('starts with the instances already registered', async () => {
    await registry.register(anInstance('auth', { instanceId: 'a1' }), 10_000);

    await start();

    expect(statuses(discovery.current('auth'))).toEqual(['a1:healthy']);
  });

  it('follows registrations, status changes and deregistrations, telling the listeners of that service', async () => {
    await start();
    const seen: string[][] = [];
    const other: unknown[] = [];
    discovery.onChange('auth', (instances) => seen.push(statuses(instances)));
    discovery.onChange('project', (instances) => other.push(instances));
    const record = anInstance('auth', { instanceId: 'a1', status: 'starting' });

    await registry.register(record, 10_000);
    await registry.heartbeat({ ...record, status: 'healthy' }, 10_000);
    await registry.deregister('auth', 'a1');

    await waitFor(() => seen.length === 3, 2_000, 'three changes');
    expect(seen).toEqual([['a1:starting'], ['a1:healthy'], []]);
    expect(other).toEqual([]);
  });

  it('follows only the services it is given', async () => {
    await start(['auth']);

    await registry.register(anInstance('project', { instanceId: 'p1' }), 10_000);
    await registry.register(anInstance('auth', { instanceId: 'a1' }), 10_000);

    await waitFor(() => discovery.current('auth').length === 1, 2_000, 'the auth instance');
    expect(discovery.current('project')).toEqual([]);
  });

  it('measures discovery latency from the time of the registry change', async () => {
    await start();

    await registry.register(anInstance('auth'), 10_000);
    clock.advance(30); // the notification is delivered later, as over a network

    await waitFor(() => discovery.current('auth').length === 1, 2_000, 'the instance');
    expect(discovery.stats().latency).toMatchObject({ count: 1, p50: 30, max: 30 });
  });

  describe('local health', () => {
    it('shows an instance that fails its checks here as unhealthy, and healthy again once it passes', async () => {
      await registry.register(anInstance('auth', { instanceId: 'a1' }), 10_000);
      await start();
      const seen: string[][] = [];
      discovery.onChange('auth', (instances) => seen.push(statuses(instances)));

      discovery.markUnhealthy('auth', 'a1', 'NOT_SERVING');
      discovery.markUnhealthy('auth', 'a1', 'still NOT_SERVING');
      expect(statuses(discovery.current('auth'))).toEqual(['a1:unhealthy']);
      expect(discovery.stats().instances.auth).toEqual({ total: 1, inRotation: 0 });

      discovery.markHealthy('auth', 'a1');
      expect(statuses(discovery.current('auth'))).toEqual(['a1:healthy']);
      expect(seen).toEqual([['a1:unhealthy'], ['a1:healthy']]);
    });

    it('keeps the status an instance gave itself when it is not healthy', async () => {
      await registry.register(anInstance('auth', { instanceId: 'a1', status: 'draining' }), 10_000);
      await start();

      discovery.markUnhealthy('auth', 'a1', 'timeout');

      expect(statuses(discovery.current('auth'))).toEqual(['a1:draining']);
    });

    it('ignores verdicts on instances it does not know', async () => {
      await start();

      discovery.markUnhealthy('auth', 'ghost', 'unreachable');
      await registry.register(anInstance('auth', { instanceId: 'ghost' }), 10_000);

      await waitFor(() => discovery.current('auth').length === 1, 2_000, 'the instance');
      expect(statuses(discovery.current('auth'))).toEqual(['ghost:healthy']);
    });

    it('forgets the verdict on an instance that leaves the registry', async () => {
      const record = anInstance('auth', { instanceId: 'a1' });
      await registry.register(record, 10_000);
      await start();
      discovery.markUnhealthy('auth', 'a1', 'NOT_SERVING');

      await registry.deregister('auth', 'a1');
      await waitFor(() => discovery.current('auth').length === 0, 2_000, 'the removal');
      await registry.register(record, 10_000);

      await waitFor(() => discovery.current('auth').length === 1, 2_000, 'the return');
      expect(statuses(discovery.current('auth'))).toEqual(['a1:healthy']);
    });
  });

  describe("this process's own instances", () => {
    const local = (instanceId: string, status: ServiceInstance['status'] = 'healthy'): ServiceInstance => ({
      ...anInstance('auth', { instanceId, status }),
      lastHeartbeat: clock.now(),
    });

    it('keeps showing an instance of this process while the registry has lost its record', async () => {
      const record = anInstance('auth', { instanceId: 'a1' });
      await registry.register(record, 10_000);
      await start();
      discovery.showLocal(local('a1'));

      await registry.deregister('auth', 'a1'); // as a Redis restarted empty, or a short listing, would make it look
      await registry.register(anInstance('auth', { instanceId: 'a2' }), 10_000);
      await waitFor(() => discovery.current('auth').length === 2, 2_000, 'the other instance');

      expect(statuses(discovery.current('auth'))).toEqual(['a1:healthy', 'a2:healthy']);
    });

    it("shows its own record over the registry's, and hands the instance back to the registry once forgotten", async () => {
      await registry.register(anInstance('auth', { instanceId: 'a1', status: 'healthy' }), 10_000);
      await start();
      const seen: string[][] = [];
      discovery.onChange('auth', (instances) => seen.push(statuses(instances)));

      discovery.showLocal(local('a1', 'draining'));
      expect(statuses(discovery.current('auth'))).toEqual(['a1:draining']);
      discovery.forgetLocal('auth', 'a1');
      expect(statuses(discovery.current('auth'))).toEqual(['a1:healthy']);
      await registry.deregister('auth', 'a1');
      await waitFor(() => discovery.current('auth').length === 0, 2_000, 'the removal');

      expect(seen).toEqual([['a1:draining'], ['a1:healthy'], []]);
    });

    it('takes health verdicts on its own instances', async () => {
      await start();
      discovery.showLocal(local('a1'));

      discovery.markUnhealthy('auth', 'a1', 'NOT_SERVING');

      expect(statuses(discovery.current('auth'))).toEqual(['a1:unhealthy']);
      expect(discovery.stats().instances.auth).toEqual({ total: 1, inRotation: 0 });
    });
  });

  it('stops telling a listener that unsubscribed, and isolates one that throws', async () => {
    const errors: unknown[] = [];
    discovery = new Discovery(registry, clock, { onListenerError: (error) => errors.push(error) });
    await discovery.start();
    const gone: unknown[] = [];
    const kept: unknown[] = [];
    const stop = discovery.onChange('auth', (instances) => gone.push(instances));
    discovery.onChange('auth', () => {
      throw new Error('a broken listener');
    });
    discovery.onChange('auth', (instances) => kept.push(instances));
    stop();

    await registry.register(anInstance('auth'), 10_000);

    await waitFor(() => kept.length === 1, 2_000, 'the change');
    expect(gone).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it('returns the same list object until something changes', async () => {
    await registry.register(anInstance('auth'), 10_000);
    await start();

    expect(discovery.current('auth')).toBe(discovery.current('auth'));
  });
});
