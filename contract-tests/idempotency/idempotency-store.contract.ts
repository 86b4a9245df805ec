import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdempotencyStore } from '../../core/idempotency/ports.js';

export interface IdempotencyStoreFixture {
  readonly store: IdempotencyStore;
  close(): Promise<void>;
}

const HOUR = 3_600_000;
const aKey = () => `user:${randomUUID()}:${randomUUID()}`;

/** Every IdempotencyStore adapter runs this suite (STYLE.md 14). Keys are unique per test. */
export function describeIdempotencyStoreContract(adapterName: string, createFixture: () => Promise<IdempotencyStoreFixture>): void {
  describe(`IdempotencyStore contract: ${adapterName}`, () => {
    let fixture: IdempotencyStoreFixture;
    let store: IdempotencyStore;

    beforeEach(async () => {
      fixture = await createFixture();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('remembers an outcome with its fingerprint, and knows nothing of another key', async () => {
      const key = aKey();

      await store.remember(key, 'fp-1', '{"ok":true}', 1_000, 1_000 + HOUR);

      expect(await store.find(key, 2_000)).toEqual({ fingerprint: 'fp-1', outcome: '{"ok":true}' });
      expect(await store.find(aKey(), 2_000)).toBeUndefined();
    });

    it('keeps the first outcome: a second one for the same key changes nothing', async () => {
      const key = aKey();
      await store.remember(key, 'fp-1', 'first', 1_000, 1_000 + HOUR);

      await store.remember(key, 'fp-1', 'second', 2_000, 2_000 + HOUR);
      await store.remember(key, 'fp-2', 'other request', 3_000, 3_000 + HOUR);

      expect(await store.find(key, 4_000)).toEqual({ fingerprint: 'fp-1', outcome: 'first' });
    });

    it('forgets a key once its time is up, and lets it be used again', async () => {
      const key = aKey();
      await store.remember(key, 'fp-1', 'old', 1_000, 1_000 + HOUR);

      expect(await store.find(key, 1_000 + HOUR)).toBeUndefined();
      await store.remember(key, 'fp-2', 'new', 2 * HOUR, 3 * HOUR);

      expect(await store.find(key, 2 * HOUR + 1)).toEqual({ fingerprint: 'fp-2', outcome: 'new' });
    });

    it('prunes the expired keys only, and says how many', async () => {
      const [expired, live] = [aKey(), aKey()];
      await store.remember(expired, 'fp', 'a', 1_000, 2_000);
      await store.remember(live, 'fp', 'b', 1_000, 10_000);

      expect(await store.prune(5_000)).toBeGreaterThanOrEqual(1);

      expect(await store.find(live, 5_000)).toEqual({ fingerprint: 'fp', outcome: 'b' });
      expect(await store.prune(5_000)).toBe(0);
    });
  });
}
