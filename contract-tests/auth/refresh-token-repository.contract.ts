import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RefreshToken, Session } from '../../core/auth/model.js';
import type { RefreshTokenRepository } from '../../core/auth/ports.js';

export interface RefreshTokenRepositoryFixture {
  readonly repo: RefreshTokenRepository;
  /** A session the tokens may belong to (stored where the adapter needs it to be). */
  parentSession(): Promise<Session>;
  close(): Promise<void>;
}

const start = Date.UTC(2026, 0, 1);

const aRefreshToken = (sessionId: string, overrides: Partial<RefreshToken> = {}): RefreshToken => ({
  digest: randomUUID(),
  sessionId,
  createdAt: start,
  expiresAt: start + 86_400_000,
  usedAt: null,
  ...overrides,
});

/** Every RefreshTokenRepository adapter runs this suite (STYLE.md 14). */
export function describeRefreshTokenRepositoryContract(
  adapterName: string,
  createFixture: () => Promise<RefreshTokenRepositoryFixture>,
): void {
  describe(`RefreshTokenRepository contract: ${adapterName}`, () => {
    let fixture: RefreshTokenRepositoryFixture;

    beforeEach(async () => {
      fixture = await createFixture();
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('finds a created token by digest with every field as stored', async () => {
      const token = aRefreshToken((await fixture.parentSession()).id);
      await fixture.repo.create(token);

      expect(await fixture.repo.findByDigest(token.digest)).toEqual(token);
      expect(await fixture.repo.findByDigest(randomUUID())).toBeUndefined();
    });

    it('refuses a duplicate digest', async () => {
      const token = aRefreshToken((await fixture.parentSession()).id);
      await fixture.repo.create(token);

      await expect(fixture.repo.create(token)).rejects.toThrow();
    });

    it('marks a token used once: a second use answers false and keeps the first time', async () => {
      const token = aRefreshToken((await fixture.parentSession()).id);
      await fixture.repo.create(token);

      expect(await fixture.repo.markUsed(token.digest, start + 1_000)).toBe(true);
      expect(await fixture.repo.markUsed(token.digest, start + 2_000)).toBe(false);
      expect(await fixture.repo.markUsed(randomUUID(), start)).toBe(false);
      expect((await fixture.repo.findByDigest(token.digest))?.usedAt).toBe(start + 1_000);
    });

    it('lets exactly one of concurrent uses win', async () => {
      const token = aRefreshToken((await fixture.parentSession()).id);
      await fixture.repo.create(token);

      const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => fixture.repo.markUsed(token.digest, start + i)));

      expect(wins.filter(Boolean)).toHaveLength(1);
    });
  });
}
