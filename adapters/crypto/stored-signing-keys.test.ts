import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AccessClaims } from '../../core/auth/ports.js';
import { InMemorySigningKeyRepository } from '../memory/in-memory-signing-key-repository.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { JoseTokenIssuer } from './jose-token-issuer.js';
import { StoredSigningKeys } from './stored-signing-keys.js';

const TtlMs = 15 * 60_000;
const ReloadMs = 60_000;

const claims = (clock: ManualClock): AccessClaims => ({
  userId: 'u-1',
  sessionId: 's-1',
  email: 'ada@example.test',
  isAdmin: false,
  expiresAt: clock.now() + TtlMs,
});

const instance = async (repository: InMemorySigningKeyRepository, clock: ManualClock) => {
  const keys = await StoredSigningKeys.open({ repository, clock, verifyRetiredForMs: TtlMs, reloadMs: ReloadMs });
  return { keys, issuer: JoseTokenIssuer.withKeys(clock, keys) };
};

describe('StoredSigningKeys', () => {
  it('makes one key on first open, which a second instance on the same store signs with too', async () => {
    const repository = new InMemorySigningKeyRepository();
    const clock = new ManualClock();
    const first = await instance(repository, clock);
    const second = await instance(repository, clock);

    const { token } = await first.issuer.issue(claims(clock));

    expect(await repository.list()).toHaveLength(1);
    expect((await second.issuer.verify(token)).ok).toBe(true);
    expect(decodeProtectedHeader((await second.issuer.issue(claims(clock))).token).kid).toBe(decodeProtectedHeader(token).kid);
  });

  it('rotates without logging anyone out: old tokens verify until the longest token expired', async () => {
    const repository = new InMemorySigningKeyRepository();
    const clock = new ManualClock();
    const { keys, issuer } = await instance(repository, clock);
    const other = await instance(repository, clock);
    const { token: before } = await issuer.issue(claims(clock));

    const newKid = await keys.rotate();
    const { token: after } = await issuer.issue(claims(clock));

    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    expect(decodeProtectedHeader(before).kid).not.toBe(newKid);
    clock.advance(1_000);
    expect((await other.issuer.verify(after)).ok).toBe(true); // unknown kid: the other instance re-reads the keys
    expect((await other.issuer.verify(before)).ok).toBe(true);
    expect((await keys.published()).map((key) => key.kid)).toContain(newKid);

    clock.advance(TtlMs + ReloadMs + 1);
    const checker = await instance(repository, clock);
    expect(await checker.keys.verificationKey(decodeProtectedHeader(before).kid)).toBeUndefined();
    expect((await checker.keys.published()).map((key) => key.kid)).toEqual([newKid]);
  });

  it('signs with a key another instance rotated to once it re-reads the keys', async () => {
    const repository = new InMemorySigningKeyRepository();
    const clock = new ManualClock();
    const { issuer } = await instance(repository, clock);
    const rotator = await instance(repository, clock);
    const newKid = await rotator.keys.rotate();

    clock.advance(ReloadMs);
    const { token } = await issuer.issue(claims(clock));

    expect(decodeProtectedHeader(token).kid).toBe(newKid);
  });

  it('imports a key file once, as the signing key, and keeps it across restarts', async () => {
    const repository = new InMemorySigningKeyRepository();
    const clock = new ManualClock();
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { keys } = await instance(repository, clock);

    const kid = await keys.importPrivateKey(pem);
    const again = await (await instance(repository, clock)).keys.importPrivateKey(pem);

    expect(again).toBe(kid);
    expect((await keys.signingKey()).kid).toBe(kid);
    expect((await repository.list()).filter((key) => key.retiredAt === null).map((key) => key.kid)).toEqual([kid]);
  });

  it('never publishes a private key', async () => {
    const { keys } = await instance(new InMemorySigningKeyRepository(), new ManualClock());
    for (const key of await keys.published()) expect(key.jwk).not.toHaveProperty('d');
  });
});
