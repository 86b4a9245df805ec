import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectedClient } from '../../core/gateway/index.js';
import { InMemoryClientDirectory } from '../../adapters/memory/in-memory-client-directory.js';
import { ClientRegistry, DirectorySync } from '../../core/gateway/index.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';

const TTL_MS = 10_000;

/** A directory that fails every write while `failing` is set, as Redis away would. */
class FlakyDirectory extends InMemoryClientDirectory {
  failing = false;

  override async put(instanceId: string, clients: readonly ConnectedClient[], ttlMs: number): Promise<void> {
    if (this.failing) throw new Error('Redis unavailable');
    return super.put(instanceId, clients, ttlMs);
  }

  override async remove(instanceId: string, clientId: string): Promise<void> {
    if (this.failing) throw new Error('Redis unavailable');
    return super.remove(instanceId, clientId);
  }
}

describe('DirectorySync', () => {
  let clock: ManualClock;
  let directory: FlakyDirectory;
  let registry: ClientRegistry;
  let sync: DirectorySync;
  let faults: string[];
  const register = (clientId: string) => registry.register({ clientId, userId: 'u1', subscriptions: ['events'], connectionType: 'http' });
  const listed = async () => (await directory.list()).map((client) => client.clientId).sort();

  beforeEach(() => {
    clock = new ManualClock();
    directory = new FlakyDirectory(clock);
    registry = new ClientRegistry('gw-1', clock, { next: () => 'session' });
    faults = [];
    sync = new DirectorySync(registry, directory, { ttlMs: TTL_MS }, (_error, detail) => faults.push(detail));
  });
  afterEach(async () => {
    await sync.stop();
  });

  it('writes registrations and removals as they happen, in order', async () => {
    register('a');
    register('b');
    registry.unregister('a');
    await sync.settled();
    expect(await listed()).toEqual(['b']);
  });

  it('keeps the entries alive past their expiry while it beats, and writes the signs of life seen since the last beat', async () => {
    register('a');
    await sync.beat();
    clock.advance(TTL_MS - 1);
    registry.touch('a');
    await sync.beat();
    clock.advance(TTL_MS - 1);
    expect(await directory.find('a')).toMatchObject({ lastSeenAt: clock.now() - (TTL_MS - 1) });
    clock.advance(1);
    expect(await directory.find('a')).toBeUndefined();
  });

  it('writes every client again at the next beat after a write failed', async () => {
    register('a');
    await sync.beat();
    directory.failing = true;
    register('b');
    // Stale from here on: single writes wait for the next beat instead of piling up.
    registry.unregister('a');
    await sync.settled();
    expect(faults).toHaveLength(1);
    expect(await listed()).toEqual(['a']);

    directory.failing = false;
    await sync.beat();
    expect(await listed()).toEqual(['b']);
  });

  it('writes every client again when it finds its entries expired (a long pause, a Redis restart)', async () => {
    register('a');
    register('b');
    await sync.beat();
    clock.advance(TTL_MS);
    expect(await listed()).toEqual([]);
    await sync.beat();
    expect(await listed()).toEqual(['a', 'b']);
  });

  it('runs one beat at a time: a beat asked during another is that one', async () => {
    register('a');
    const [first, second] = [sync.beat(), sync.beat()];
    expect(second).toBe(first);
    await first;
    expect(await listed()).toEqual(['a']);
  });

  it('takes the instance out of the directory when it stops, and writes nothing after', async () => {
    register('a');
    await sync.stop();
    register('b');
    await sync.settled();
    expect(await listed()).toEqual([]);
  });
});
