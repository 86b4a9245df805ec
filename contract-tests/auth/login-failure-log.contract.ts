import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoginFailureLog } from '../../core/auth/ports.js';

export interface LoginFailureLogFixture {
  readonly log: LoginFailureLog;
  /** Another log on the same store (another auth instance on the same Redis; in memory, the same log). */
  readonly peer: LoginFailureLog;
  close(): Promise<void>;
}

const t0 = Date.UTC(2026, 0, 1);
const window = { max: 3, windowMs: 60_000 };
// Keys as the throttle makes them: an account's normalised email, a client address.
const aKey = (): string => `account:user-${randomUUID()}@example.test`;

/** Every LoginFailureLog adapter runs this suite (STYLE.md 14). Keys are fresh per test, so a store may be shared. */
export function describeLoginFailureLogContract(adapterName: string, createFixture: () => Promise<LoginFailureLogFixture>): void {
  describe(`LoginFailureLog contract: ${adapterName}`, () => {
    let fixture: LoginFailureLogFixture;
    let log: LoginFailureLog;

    beforeEach(async () => {
      fixture = await createFixture();
      log = fixture.log;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('knows no failure of a key never recorded', async () => {
      expect(await log.recent(aKey(), t0, window)).toEqual([]);
    });

    it('gives the failures within the window, oldest first; one exactly windowMs old no longer counts', async () => {
      const key = aKey();
      await log.record(key, t0, window);
      await log.record(key, t0 + 10_000, window);
      expect(await log.recent(key, t0 + 20_000, window)).toEqual([t0, t0 + 10_000]);
      expect(await log.recent(key, t0 + 60_000, window)).toEqual([t0 + 10_000]);
      expect(await log.recent(key, t0 + 70_000, window)).toEqual([]);
    });

    it('keeps only the last max failures of a key', async () => {
      const key = aKey();
      for (let i = 0; i < 5; i += 1) await log.record(key, t0 + i, window);
      expect(await log.recent(key, t0 + 10, window)).toEqual([t0 + 2, t0 + 3, t0 + 4]);
      // Asked with a larger max, the trimmed ones are still gone.
      expect(await log.recent(key, t0 + 10, { max: 10, windowMs: 60_000 })).toEqual([t0 + 2, t0 + 3, t0 + 4]);
    });

    it('drops the failures that aged out when it records a new one', async () => {
      const key = aKey();
      await log.record(key, t0, window);
      await log.record(key, t0 + 60_001, window);
      expect(await log.recent(key, t0 + 60_001, { max: 10, windowMs: 600_000 })).toEqual([t0 + 60_001]);
    });

    it('counts two failures in the same millisecond twice', async () => {
      const key = aKey();
      await log.record(key, t0, window);
      await log.record(key, t0, window);
      expect(await log.recent(key, t0, window)).toEqual([t0, t0]);
    });

    it('keeps keys apart, and clear forgets one key only (twice is fine)', async () => {
      const [ada, bob] = [aKey(), aKey()];
      await log.record(ada, t0, window);
      await log.record(bob, t0, window);
      await log.clear(ada);
      await log.clear(ada);
      expect(await log.recent(ada, t0, window)).toEqual([]);
      expect(await log.recent(bob, t0, window)).toEqual([t0]);
    });

    it('grants a reservation below max, counting it as a failure; refuses at max with the time a slot frees', async () => {
      const key = aKey();
      const first = await log.reserve(key, t0, window);
      expect(first.granted).toBe(true);
      await log.reserve(key, t0 + 1_000, window);
      await log.reserve(key, t0 + 2_000, window);
      expect(await log.recent(key, t0 + 2_000, window)).toEqual([t0, t0 + 1_000, t0 + 2_000]);
      expect(await log.reserve(key, t0 + 3_000, window)).toEqual({ granted: false, retryAt: t0 + 60_000 });
      expect(await log.recent(key, t0 + 3_000, window)).toHaveLength(3);
      // The oldest aged out: a slot is free again.
      expect((await log.reserve(key, t0 + 60_000, window)).granted).toBe(true);
    });

    it('takes back a released reservation only (twice is fine)', async () => {
      const key = aKey();
      const kept = await log.reserve(key, t0, window);
      const released = await log.reserve(key, t0 + 1, window);
      if (!released.granted || !kept.granted) throw new Error('expected both reservations granted');
      await log.release(key, released.id);
      await log.release(key, released.id);
      expect(await log.recent(key, t0 + 2, window)).toEqual([t0]);
    });

    it('grants at most max of a concurrent burst of reservations over every log on the store', async () => {
      const key = aKey();
      const limit = { max: 10, windowMs: 60_000 };
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? log : fixture.peer).reserve(key, t0 + i, limit)),
      );
      expect(answers.filter((answer) => answer.granted)).toHaveLength(10);
      expect(await fixture.peer.recent(key, t0 + 100, limit)).toHaveLength(10);
    });

    it('shares the failures with every log on the same store, concurrent records included', async () => {
      const key = aKey();
      const wide = { max: 50, windowMs: 60_000 };
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? log : fixture.peer).record(key, t0 + i, wide)));
      expect(await fixture.peer.recent(key, t0 + 100, wide)).toHaveLength(20);
      await fixture.peer.clear(key);
      expect(await log.recent(key, t0 + 100, wide)).toEqual([]);
    });
  });
}
