import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { IdempotentWrites, type WriteRun } from './idempotent-writes.js';
import type { IdempotencyStore, RememberedWrite } from './ports.js';

/** A store in a Map, as simple as the port allows; `committed` plays a write that another attempt made and has not answered yet. */
class MapStore implements IdempotencyStore {
  readonly entries = new Map<string, RememberedWrite & { expiresAt: number }>();
  failRemember = false;
  async find(key: string, now: number) {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= now) return undefined;
    return entry.outcome === undefined ? { fingerprint: entry.fingerprint } : { fingerprint: entry.fingerprint, outcome: entry.outcome };
  }
  async remember(key: string, fingerprint: string, outcome: string, now: number, expiresAt: number) {
    if (this.failRemember) throw new Error('database unavailable');
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now && (entry.outcome !== undefined || entry.fingerprint !== fingerprint)) return;
    this.entries.set(key, { fingerprint, outcome, expiresAt });
  }
  async prune(now: number) {
    const expired = [...this.entries].filter(([, entry]) => entry.expiresAt <= now);
    expired.forEach(([key]) => this.entries.delete(key));
    return expired.length;
  }
  committed(key: string, fingerprint: string) {
    this.entries.set(key, { fingerprint, expiresAt: Number.MAX_SAFE_INTEGER });
  }
}

const setup = () => {
  const clock = new ManualClock();
  const store = new MapStore();
  const pauses: number[] = [];
  const pause = async (ms: number) => {
    pauses.push(ms);
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.advance(ms);
  };
  const writes = new IdempotentWrites(store, clock, pause, { retentionMs: 24 * 3_600_000 });
  const request = (key = 'k', fingerprint = 'fp') => ({ key, fingerprint, waitUntil: clock.now() + 1_000 });
  let runs = 0;
  const write =
    (outcome: string, remember = true): (() => Promise<WriteRun>) =>
    async () => {
      runs += 1;
      return { kind: 'answered', outcome, remember };
    };
  return { clock, store, writes, request, write, pauses, runs: () => runs };
};

describe('IdempotentWrites', () => {
  it('runs the first write with a key and answers a repeat with its outcome, without running it again', async () => {
    const { writes, request, write, runs } = setup();

    expect(await writes.run(request(), write('created p-1'))).toEqual({ kind: 'answered', outcome: 'created p-1' });
    expect(await writes.run(request(), write('created p-2'))).toEqual({ kind: 'replayed', outcome: 'created p-1' });
    expect(runs()).toBe(1);
  });

  it('refuses the same key with another request', async () => {
    const { writes, request, write } = setup();
    await writes.run(request('k', 'create shop'), write('created'));

    expect(await writes.run(request('k', 'create blog'), write('created'))).toMatchObject({
      kind: 'refused',
      failure: { kind: 'conflict', code: 'idempotency_key_reused' },
    });
  });

  it('runs concurrent attempts with one key one after the other in this process', async () => {
    const { writes, request, runs } = setup();
    let release: () => void = () => {};
    const slow = async (): Promise<WriteRun> => {
      await new Promise<void>((resolve) => (release = resolve));
      return { kind: 'answered', outcome: 'first', remember: true };
    };
    const first = writes.run(request(), slow);
    const second = writes.run(request(), async () => ({ kind: 'answered', outcome: 'second', remember: true }));
    await Promise.resolve();
    release();

    expect(await Promise.all([first, second])).toEqual([
      { kind: 'answered', outcome: 'first' },
      { kind: 'replayed', outcome: 'first' },
    ]);
    expect(runs()).toBe(0);
  });

  it('does not remember a failure that changed nothing: the same request is run afresh', async () => {
    const { writes, request, write, runs } = setup();

    await writes.run(request(), write('quota exceeded', false));
    expect(await writes.run(request(), write('created'))).toEqual({ kind: 'answered', outcome: 'created' });
    expect(runs()).toBe(2);
  });

  it('waits for the answer of an attempt that committed the key elsewhere, and gives it when it comes', async () => {
    const { store, writes, request, pauses } = setup();
    const taken = async (): Promise<WriteRun> => {
      store.committed('k', 'fp');
      setTimeout(() => void store.remember('k', 'fp', 'created elsewhere', 0, Number.MAX_SAFE_INTEGER), 0);
      return { kind: 'taken' };
    };

    const answer = await writes.run(request(), taken);

    expect(answer).toEqual({ kind: 'replayed', outcome: 'created elsewhere' });
    expect(pauses.length).toBeGreaterThan(0);
  });

  it('says the key is in use when the other attempt never answers within the wait', async () => {
    const { store, writes, request, clock } = setup();
    store.committed('k', 'fp');
    const started = clock.now();

    expect(await writes.run(request(), async () => ({ kind: 'answered', outcome: 'x', remember: true }))).toMatchObject({
      kind: 'refused',
      failure: { code: 'idempotency_key_in_use' },
    });
    expect(clock.now() - started).toBe(1_000);
  });

  it('answers a write whose outcome could not be stored, and says so', async () => {
    const { store, writes, request, write } = setup();
    store.failRemember = true;

    const answer = await writes.run(request(), write('created'));

    expect(answer).toMatchObject({ kind: 'answered', outcome: 'created', unremembered: expect.any(Error) });
  });

  it('forgets the keys whose retention is over', async () => {
    const { writes, request, write, clock } = setup();
    await writes.run(request('a'), write('one'));
    clock.advance(24 * 3_600_000);

    expect(await writes.prune()).toBe(1);
    expect(await writes.run(request('a'), write('two'))).toEqual({ kind: 'answered', outcome: 'two' });
  });
});
