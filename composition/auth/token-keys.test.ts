import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK } from 'jose';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoseTokenIssuer } from '../../adapters/crypto/jose-token-issuer.js';
import { InMemorySigningKeyRepository } from '../../adapters/memory/in-memory-signing-key-repository.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { openSigningKeys, readTokenKeyFile } from './token-keys.js';

describe('the signing keys of the auth service', () => {
  let dir: string;
  const claims = { userId: 'u-1', sessionId: 's-1', email: 'a@example.com', isAdmin: false, expiresAt: Date.now() + 60_000 };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshwork-keys-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const keyFile = async (name: string, pem: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, pem);
    return path;
  };

  it('lets two instances on one store verify each other’s tokens, and sign with an imported key file', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const file = await keyFile('ed25519.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const clock = new SystemClock();
    const repository = new InMemorySigningKeyRepository();
    const first = await openSigningKeys({ repository, clock, tokenTtlSeconds: 900, keyFile: file });
    const second = await openSigningKeys({ repository, clock, tokenTtlSeconds: 900, keyFile: undefined });

    const { token } = await JoseTokenIssuer.withKeys(clock, first).issue(claims);

    expect(await JoseTokenIssuer.withKeys(clock, second).verify(token)).toMatchObject({
      ok: true,
      value: { userId: 'u-1', sessionId: 's-1' },
    });
    expect(decodeProtectedHeader(token).kid).toBe(await calculateJwkThumbprint(await exportJWK(createPublicKey(privateKey))));
  });

  it('refuses tokens of another store', async () => {
    const clock = new SystemClock();
    const first = await openSigningKeys({
      repository: new InMemorySigningKeyRepository(),
      clock,
      tokenTtlSeconds: 900,
      keyFile: undefined,
    });
    const other = await openSigningKeys({
      repository: new InMemorySigningKeyRepository(),
      clock,
      tokenTtlSeconds: 900,
      keyFile: undefined,
    });

    const { token } = await JoseTokenIssuer.withKeys(clock, first).issue(claims);

    expect(await JoseTokenIssuer.withKeys(clock, other).verify(token)).toEqual({ ok: false, error: 'bad_signature' });
  });

  it('refuses a missing file, a file without a key, and a key of another type, naming the file', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

    await expect(readTokenKeyFile(join(dir, 'missing.pem'))).rejects.toThrow(/AUTH_TOKEN_KEY_FILE .*missing\.pem cannot be read/);
    await expect(readTokenKeyFile(await keyFile('empty.pem', 'no key here'))).rejects.toThrow(/holds no private key/);
    await expect(readTokenKeyFile(await keyFile('rsa.pem', rsa))).rejects.toThrow(/holds a rsa key; an Ed25519 private key is needed/);
  });
});
