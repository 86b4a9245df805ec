import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryServiceRegistry } from '../../adapters/memory/in-memory-service-registry.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import type { InstanceRecord, Ticker } from '../../core/discovery/ports.js';
import { registerInstance } from '../../core/discovery/registration.js';
import { waitFor } from '../messaging/wait.js';
import { anInstance } from './builders.js';

/** A Ticker driven by the test: `tick()` runs every active task once and waits for them. */
class ManualTicker implements Ticker {
  private readonly tasks = new Map<() => void | Promise<void>, number>();
  every(intervalMs: number, tick: () => void | Promise<void>): { cancel(): void } {
    const task = () => tick();
    this.tasks.set(task, intervalMs);
    return { cancel: () => void this.tasks.delete(task) };
  }
  get active(): number {
    return this.tasks.size;
  }
  /** The intervals of the active tasks. */
  get intervals(): number[] {
    return [...this.tasks.values()];
  }
  async tick(): Promise<void> {
    await Promise.all([...this.tasks.keys()].map((task) => task()));
  }
}

/** The in-memory registry, with writes that fail while `failing` is set (Redis away). */
class FlakyRegistry extends InMemoryServiceRegistry {
  failing = false;
  override async register(record: InstanceRecord, ttlMs: number) {
    if (this.failing) throw new Error('registry unavailable');
    return super.register(record, ttlMs);
  }
  override async heartbeat(record: InstanceRecord, ttlMs: number) {
    if (this.failing) throw new Error('registry unavailable');
    return super.heartbeat(record, ttlMs);
  }
}

describe('registerInstance', () => {
  let clock: ManualClock;
  let registry: FlakyRegistry;
  let ticker: ManualTicker;

  beforeEach(() => {
    clock = new ManualClock();
    registry = new FlakyRegistry(clock);
    ticker = new ManualTicker();
  });
  afterEach(() => registry.close());

  const lastHeartbeat = async (service: string): Promise<number | undefined> => (await registry.list(service))[0]?.lastHeartbeat;

  it('registers at once and keeps the record alive past its TTL with heartbeats', async () => {
    await registerInstance(registry, anInstance('auth'), { heartbeatMs: 3_000, ttlMs: 10_000, ticker });
    expect(await registry.list('auth')).toHaveLength(1);

    for (let i = 0; i < 10; i += 1) {
      clock.advance(3_000);
      await ticker.tick();
      await waitFor(async () => (await lastHeartbeat('auth')) === clock.now(), 2_000, 'the heartbeat');
    }

    expect(await registry.list('auth')).toHaveLength(1);
  });

  it('lets the record expire once heartbeats stop (the process died)', async () => {
    await registerInstance(registry, anInstance('auth'), { ttlMs: 10_000, ticker });

    clock.advance(10_000);

    expect(await registry.list('auth')).toEqual([]);
  });

  it('writes a new status at once, and heartbeats keep it', async () => {
    const registration = await registerInstance(registry, anInstance('auth', { status: 'starting' }), { ticker });

    await registration.setStatus('healthy');
    expect((await registry.list('auth'))[0]?.status).toBe('healthy');
    await ticker.tick();

    expect((await registry.list('auth'))[0]?.status).toBe('healthy');
    expect(registration.record.status).toBe('healthy');
  });

  it('writes why it is unhealthy, and forgets the reason once healthy again', async () => {
    const registration = await registerInstance(registry, anInstance('auth'), { ticker });

    await registration.setStatus('unhealthy', 'database: connection refused');
    expect(await registry.list('auth')).toMatchObject([{ status: 'unhealthy', statusReason: 'database: connection refused' }]);

    await registration.setStatus('healthy', 'ignored');
    const [record] = await registry.list('auth');
    expect(record!.status).toBe('healthy');
    expect(record!).not.toHaveProperty('statusReason');
  });

  it('stays draining once draining: a recovered dependency does not bring it back into rotation', async () => {
    const registration = await registerInstance(registry, anInstance('auth'), { ticker });

    await registration.setStatus('draining');
    await registration.setStatus('healthy');
    await registration.setStatus('unhealthy', 'redis: timeout');
    await ticker.tick();

    expect(await registry.list('auth')).toMatchObject([{ status: 'draining' }]);
  });

  it("writes its own word again with its next heartbeat after a health checker's report", async () => {
    const record = anInstance('auth');
    await registerInstance(registry, record, { ticker });
    await registry.reportUnhealthy('auth', record.instanceId, { reason: 'DEADLINE_EXCEEDED', reportedBy: 'a busy checker' });
    expect(await registry.list('auth')).toMatchObject([{ status: 'unhealthy', statusReportedBy: 'a busy checker' }]);

    clock.advance(3_000);
    await ticker.tick();

    const [after] = await registry.list('auth');
    expect(after!.status).toBe('healthy');
    expect(after!).not.toHaveProperty('statusReportedBy');
  });

  it('deregisters once, stops the heartbeats and ignores later status changes', async () => {
    const registration = await registerInstance(registry, anInstance('auth'), { ticker });

    await Promise.all([registration.deregister(), registration.deregister()]);
    await ticker.tick();
    await registration.setStatus('draining');

    expect(await registry.list('auth')).toEqual([]);
    expect(ticker.active).toBe(0);
  });

  it('reports a failed heartbeat and recovers on the next one', async () => {
    const errors: unknown[] = [];
    await registerInstance(registry, anInstance('auth'), { ticker, onHeartbeatError: (error) => errors.push(error) });
    registry.failing = true;
    clock.advance(3_000);
    await ticker.tick();
    await waitFor(() => errors.length === 1, 2_000, 'the reported failure');

    registry.failing = false;
    clock.advance(3_000);
    await ticker.tick();

    await waitFor(async () => (await lastHeartbeat('auth')) === clock.now(), 2_000, 'the next heartbeat');
  });

  it('retries a failed heartbeat every retryMs until one succeeds, then only every heartbeatMs', async () => {
    const errors: unknown[] = [];
    const options = { heartbeatMs: 3_000, retryMs: 200, ticker, onHeartbeatError: (error: unknown) => errors.push(error) };
    await registerInstance(registry, anInstance('auth'), options);
    expect(ticker.intervals).toEqual([3_000]);

    registry.failing = true;
    await ticker.tick();
    await waitFor(() => ticker.intervals.length === 2, 2_000, 'a retry scheduled');
    expect(ticker.intervals).toEqual([3_000, 200]);
    // Still failing: the retries go on (one task, not one more per failure).
    await ticker.tick();
    await waitFor(() => errors.length >= 2, 2_000, 'the second failure');
    expect(ticker.intervals).toEqual([3_000, 200]);

    registry.failing = false;
    clock.advance(200);
    await ticker.tick();
    await waitFor(() => ticker.intervals.length === 1, 2_000, 'the retries to stop');
    expect(ticker.intervals).toEqual([3_000]);
    expect(await lastHeartbeat('auth')).toBe(clock.now());
  });

  it('rejects when the first registration fails, so the service does not run unseen', async () => {
    registry.failing = true;

    await expect(registerInstance(registry, anInstance('auth'), { ticker })).rejects.toThrow('registry unavailable');
    expect(ticker.active).toBe(0);
  });

  it('refuses a TTL that a heartbeat could not beat', async () => {
    await expect(registerInstance(registry, anInstance('auth'), { heartbeatMs: 5_000, ttlMs: 5_000, ticker })).rejects.toThrow(RangeError);
  });
});
