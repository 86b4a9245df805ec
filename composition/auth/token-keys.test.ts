import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JoseTokenIssuer } from '../../adapters/crypto/jose-token-issuer.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { loadTokenKeys } from './token-keys.js';

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

  it('lets two issuers made from one key file verify each other’s tokens', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const file = await keyFile('ed25519.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const clock = new SystemClock();
    const first = await JoseTokenIssuer.create({ clock, keyPair: await loadTokenKeys(file) });
    const second = await JoseTokenIssuer.create({ clock, keyPair: await loadTokenKeys(file) });

    const { token } = await first.issue(claims);

    expect(await second.verify(token)).toMatchObject({ ok: true, value: { userId: 'u-1', sessionId: 's-1' } });
    expect(second.kid).toBe(first.kid);
  });

  it('makes a fresh pair when no file is configured, whose tokens another pair refuses', async () => {
    const clock = new SystemClock();
    const first = await JoseTokenIssuer.create({ clock, keyPair: await loadTokenKeys(undefined) });
    const other = await JoseTokenIssuer.create({ clock, keyPair: await loadTokenKeys(undefined) });

    expect((await other.verify((await first.issue(claims)).token)).ok).toBe(false);
  });

  it('refuses a missing file, a file without a key, and a key of another type, naming the file', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

    await expect(loadTokenKeys(join(dir, 'missing.pem'))).rejects.toThrow(/AUTH_TOKEN_KEY_FILE .*missing\.pem cannot be read/);
    await expect(loadTokenKeys(await keyFile('empty.pem', 'no key here'))).rejects.toThrow(/holds no private key/);
    await expect(loadTokenKeys(await keyFile('rsa.pem', rsa))).rejects.toThrow(/holds a rsa key; an Ed25519 private key is needed/);
  });
});
