import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Container } from 'inversify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JoseTokenIssuer } from '../../adapters/crypto/jose-token-issuer.js';
import { StoredSigningKeys } from '../../adapters/crypto/stored-signing-keys.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { openServiceDatabase } from '../../adapters/sql/database.js';
import type { AuthTables } from '../../adapters/sql/auth/auth-tables.js';
import { SqlSigningKeyRepository } from '../../adapters/sql/auth/sql-signing-key-repository.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { loadConfig, type MeshConfig } from '../config.js';
import { Platform } from '../platform-module.js';
import { embeddedDataDirs, openServiceStorage } from '../storage.js';
import { AuthTokens, authModule } from './auth-module.js';

const logger = createLogger('signing-keys-at-rest-test', 'silent');
const clock = new SystemClock();

/** Signing keys in auth's database are sealed under a key from configuration or a generated key file (docs/adr/0035). */
describe('signing keys at rest', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'meshwork-keys-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const configWith = (env: Record<string, string> = {}): MeshConfig => loadConfig({ DATA_DIR: dataDir, MESH_STORAGE: 'sql', ...env });

  /** The rows as the database holds them. */
  const rawRows = async () => {
    const database = await openServiceDatabase({ service: 'auth', dataDir: embeddedDataDirs(configWith(), 'auth').dataDir, logger });
    try {
      await database.migrate();
      return await (database.db as unknown as import('kysely').Kysely<AuthTables>).selectFrom('signing_keys').selectAll().execute();
    } finally {
      await database.close();
    }
  };

  /** What the auth service and rotate-token-key open: the stored keys through the storage the configuration says. */
  const withKeys = async <T>(config: MeshConfig, use: (keys: StoredSigningKeys) => Promise<T>): Promise<T> => {
    const storage = await openServiceStorage('auth', config, logger);
    try {
      const container = new Container();
      container.load(authModule);
      if (storage.module) container.load(storage.module);
      container.bind(Platform.config).toConstantValue(config);
      container.bind(Platform.clock).toConstantValue(clock);
      return await use(await container.getAsync<StoredSigningKeys>(AuthTokens.keys));
    } finally {
      await storage.close();
    }
  };

  it(
    'seals plaintext rows on start under a generated 0600 key file, and keeps signing, verifying and rotating',
    { timeout: 150_000 },
    async () => {
      // A database from before: the key stored in the clear.
      const database = await openServiceDatabase({ service: 'auth', dataDir: embeddedDataDirs(configWith(), 'auth').dataDir, logger });
      await database.migrate();
      const before = await StoredSigningKeys.open({
        repository: new SqlSigningKeyRepository(database.db as never),
        clock,
        verifyRetiredForMs: 900_000,
      });
      const oldToken = (await JoseTokenIssuer.withKeys(clock, before).issue(claims())).token;
      await database.close();
      expect((await rawRows())[0]?.private_key).toContain('PRIVATE KEY');

      const config = configWith();
      const rotatedKid = await withKeys(config, async (keys) => {
        expect(await JoseTokenIssuer.withKeys(clock, keys).verify(oldToken)).toMatchObject({ ok: true });
        return keys.rotate();
      });

      const rows = await rawRows();
      expect(rows.map((row) => row.kid)).toContain(rotatedKid);
      for (const row of rows) {
        expect(row.private_key).toMatch(/^enc:v1:file-[0-9a-f]{12}:/);
        expect(row.private_key).not.toContain('PRIVATE KEY');
      }
      const keyFile = join(dataDir, 'keys', 'signing-key-encryption.key');
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      // Reopened: the new key signs, the old token still verifies.
      await withKeys(config, async (keys) => {
        const issuer = JoseTokenIssuer.withKeys(clock, keys);
        expect(await issuer.verify(oldToken)).toMatchObject({ ok: true });
        expect(await issuer.verify((await issuer.issue(claims())).token)).toMatchObject({ ok: true });
        expect((await keys.signingKey()).kid).toBe(rotatedKid);
      });
    },
  );

  it(
    're-seals under a new configured key, opens with the old one listed, and refuses to start without it',
    { timeout: 150_000 },
    async () => {
      const first = { id: 'k2026a', key: randomBytes(32) };
      const second = { id: 'k2026b', key: randomBytes(32) };
      const entry = ({ id, key }: { id: string; key: Buffer }) => `${id}:${key.toString('base64')}`;

      const token = await withKeys(
        configWith({ AUTH_KEY_ENCRYPTION_KEYS: entry(first) }),
        async (keys) => (await JoseTokenIssuer.withKeys(clock, keys).issue(claims())).token,
      );
      expect((await rawRows()).every((row) => row.private_key.startsWith('enc:v1:k2026a:'))).toBe(true);

      await withKeys(configWith({ AUTH_KEY_ENCRYPTION_KEYS: `${entry(second)},${entry(first)}` }), async (keys) => {
        expect(await JoseTokenIssuer.withKeys(clock, keys).verify(token)).toMatchObject({ ok: true });
      });
      expect((await rawRows()).every((row) => row.private_key.startsWith('enc:v1:k2026b:'))).toBe(true);

      await expect(
        withKeys(configWith({ AUTH_KEY_ENCRYPTION_KEYS: entry({ id: 'k2026b', key: randomBytes(32) }) }), async () => 0),
      ).rejects.toThrow(/does not open/);
    },
  );
});

const claims = () => ({ userId: 'u-1', sessionId: 's-1', email: 'ada@example.test', isAdmin: false, expiresAt: Date.now() + 600_000 });
