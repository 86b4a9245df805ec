import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SigningKey } from '../../core/auth/model.js';
import type { SigningKeyRepository } from '../../core/auth/ports.js';

export interface SigningKeyRepositoryFixture {
  readonly repo: SigningKeyRepository;
  close(): Promise<void>;
}

const start = Date.UTC(2026, 0, 1);

const aKey = (overrides: Partial<SigningKey> = {}): SigningKey => ({
  kid: `kid-${randomUUID()}`,
  publicJwk: '{"kty":"OKP","crv":"Ed25519","x":"AAAA"}',
  privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
  createdAt: start,
  retiredAt: null,
  ...overrides,
});

/** Every SigningKeyRepository adapter runs this suite (STYLE.md 14). Each test starts on an empty store. */
export function describeSigningKeyRepositoryContract(adapterName: string, createFixture: () => Promise<SigningKeyRepositoryFixture>): void {
  describe(`SigningKeyRepository contract: ${adapterName}`, () => {
    let fixture: SigningKeyRepositoryFixture;

    beforeEach(async () => {
      fixture = await createFixture();
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('lists added keys newest first, every field as stored', async () => {
      const older = aKey({ createdAt: start });
      const newer = aKey({ createdAt: start + 1_000 });
      await fixture.repo.add(older);
      await fixture.repo.add(newer);

      expect(await fixture.repo.list()).toEqual([newer, older]);
    });

    it('keeps the first key of a kid: adding it again answers false and changes nothing', async () => {
      const key = aKey();
      expect(await fixture.repo.add(key)).toBe(true);
      expect(await fixture.repo.add({ ...key, createdAt: start + 5 })).toBe(false);

      expect(await fixture.repo.list()).toEqual([key]);
    });

    it('retires every other unretired key, keeping earlier retirement times', async () => {
      const retired = aKey({ createdAt: start, retiredAt: start + 10 });
      const old = aKey({ createdAt: start + 20 });
      const current = aKey({ createdAt: start + 30 });
      for (const key of [retired, old, current]) await fixture.repo.add(key);

      expect(await fixture.repo.retireAllExcept(current.kid, start + 40)).toBe(1);

      expect(await fixture.repo.list()).toEqual([current, { ...old, retiredAt: start + 40 }, retired]);
    });

    it('deletes only keys retired before the given time', async () => {
      const gone = aKey({ retiredAt: start + 10 });
      const kept = aKey({ retiredAt: start + 100 });
      const current = aKey();
      for (const key of [gone, kept, current]) await fixture.repo.add(key);

      expect(await fixture.repo.deleteRetiredBefore(start + 50)).toBe(1);

      expect((await fixture.repo.list()).map((key) => key.kid).sort()).toEqual([kept.kid, current.kid].sort());
    });
  });
}
