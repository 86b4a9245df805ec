import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlUserRepository } from './auth/sql-user-repository.js';
import { openServiceDatabase } from './database.js';
import { testLogger } from '../../test-support/test-logger.js';

const logger = testLogger('database-test');

const aUser = (id: string) => ({
  id,
  email: `${id}@example.test`,
  name: 'Grace Hopper',
  passwordHash: 'scrypt$hash',
  roles: ['user' as const],
  isActive: true,
  createdAt: Date.UTC(2026, 0, 1),
  updatedAt: Date.UTC(2026, 0, 1),
  lastLoginAt: null,
  version: 1,
});

describe('openServiceDatabase on PGlite with a data directory', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'meshwork-pglite-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates the directory on first start and keeps the data across close and reopen', { timeout: 120_000 }, async () => {
    const dataDir = join(root, 'data', 'pglite');
    const first = await openServiceDatabase({ service: 'auth', dataDir, logger });
    expect(first.kind).toBe('pglite');
    expect(await first.migrate()).toEqual([
      '0001-create-auth-tables',
      '0002-create-token-tables',
      '0003-create-outbox',
      '0004-add-outbox-traceparent',
      '0005-create-admin-tables',
      '0006-create-idempotency-keys',
    ]);
    await new SqlUserRepository(first.db).create(aUser('user-1'));
    await first.close();
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);

    const again = await openServiceDatabase({ service: 'auth', dataDir, logger });
    try {
      expect(await again.migrate()).toEqual([]);
      expect(await new SqlUserRepository(again.db).findByEmail('USER-1@example.test')).toEqual(aUser('user-1'));
      // A second opening in this process shares the instance (another process's is refused by the lock).
      const third = await openServiceDatabase({ service: 'auth', dataDir, logger });
      expect(await new SqlUserRepository(third.db).findByEmail('USER-1@example.test')).toEqual(aUser('user-1'));
      await third.close();
      expect(existsSync(`${dataDir}.lock`)).toBe(true);
      expect(await new SqlUserRepository(again.db).findByEmail('USER-1@example.test')).toEqual(aUser('user-1'));
    } finally {
      await again.close();
    }
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});
