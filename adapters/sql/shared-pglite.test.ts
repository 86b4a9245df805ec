import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlUserRepository } from './auth/sql-user-repository.js';
import { openServiceDatabase, type ServiceDatabase } from './database.js';
import { testLogger } from '../../test-support/test-logger.js';

const logger = testLogger('shared-pglite-test');

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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const schemaSeenBy = async (db: Kysely<any>): Promise<string[]> =>
  (await sql<{ schemas: string[] }>`SELECT current_schemas(false) AS schemas`.execute(db)).rows[0]!.schemas;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const aProject = async (db: Kysely<any>, id: string): Promise<void> => {
  await sql`INSERT INTO projects (id, owner_id, name, description, configuration, is_public, status, created_at, updated_at, version)
    VALUES (${id}, 'owner-1', 'A project', '', '{}'::jsonb, false, 'active', 1, 1, 1)`.execute(db);
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const collaboratorSeqs = async (db: Kysely<any>): Promise<number[]> =>
  (await sql<{ seq: string }>`SELECT seq FROM project_collaborators ORDER BY seq`.execute(db)).rows.map((row) => Number(row.seq));

describe('the services of a process on one PGlite', () => {
  let root: string;
  const opened: ServiceDatabase<unknown>[] = [];
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'meshwork-shared-pglite-'));
  });
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
    await rm(root, { recursive: true, force: true });
  });

  const open = async <S extends 'auth' | 'project'>(service: S, options: { legacy?: boolean } = {}) => {
    const database = await openServiceDatabase({
      service,
      dataDir: join(root, 'pglite'),
      ...(options.legacy ? { legacyDataDir: join(root, service) } : {}),
      logger,
    });
    opened.push(database as ServiceDatabase<unknown>);
    await database.migrate();
    return database;
  };

  it("share one instance, and neither service reads the other one's tables unqualified", { timeout: 120_000 }, async () => {
    const auth = await open('auth');
    const project = await open('project');
    await new SqlUserRepository(auth.db).create(aUser('user-1'));
    await aProject(project.db, 'project-1');

    await expect(sql`SELECT id FROM users`.execute(project.db)).rejects.toThrow(/relation "users" does not exist/);
    await expect(sql`SELECT id FROM projects`.execute(auth.db)).rejects.toThrow(/relation "projects" does not exist/);
    // Both are the same database: qualified names prove the other schema is there.
    expect((await sql<{ id: string }>`SELECT id FROM auth.users`.execute(project.db)).rows).toEqual([{ id: 'user-1' }]);

    // Interleaved statements and transactions each run with their own service's search_path, and a
    // rolled-back transaction does not take the next holder's search_path with it.
    const rolledBack = project.db
      .transaction()
      .execute(async (trx) => {
        expect(await schemaSeenBy(trx)).toEqual(['project']);
        await aProject(trx, 'project-2');
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('changed my mind');
      })
      .catch((error: unknown) => error);
    const seen = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        index % 2 === 0
          ? schemaSeenBy(auth.db).then((schemas) => ['auth', schemas])
          : schemaSeenBy(project.db).then((schemas) => ['project', schemas]),
      ),
    );
    expect(await rolledBack).toBeInstanceOf(Error);
    for (const [service, schemas] of seen) expect(schemas).toEqual([service]);
    expect((await sql<{ id: string }>`SELECT id FROM projects`.execute(project.db)).rows).toEqual([{ id: 'project-1' }]);
    expect(await new SqlUserRepository(auth.db).findByEmail('USER-1@example.test')).toEqual(aUser('user-1'));
  });

  it('keeps PGlite open until the last service closes it', { timeout: 120_000 }, async () => {
    const auth = await open('auth');
    const project = await open('project');
    await auth.close();
    expect(existsSync(join(root, 'pglite.lock'))).toBe(true);
    expect(await schemaSeenBy(project.db)).toEqual(['project']);
    await project.close();
    expect(existsSync(join(root, 'pglite.lock'))).toBe(false);
  });
});

describe('a data directory of the per-service layout (DATA_DIR/<service>)', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'meshwork-legacy-pglite-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Each service alone in its own directory, as earlier versions kept them. */
  const writeLegacyLayout = async () => {
    const auth = await openServiceDatabase({ service: 'auth', dataDir: join(root, 'auth'), logger });
    await auth.migrate();
    await new SqlUserRepository(auth.db).create(aUser('user-1'));
    await auth.close();
    const project = await openServiceDatabase({ service: 'project', dataDir: join(root, 'project'), logger });
    await project.migrate();
    await aProject(project.db, 'project-1');
    for (const user of ['a', 'b', 'c']) {
      await sql`INSERT INTO project_collaborators (project_id, user_id) VALUES ('project-1', ${user})`.execute(project.db);
    }
    await sql`DELETE FROM project_collaborators WHERE user_id = 'c'`.execute(project.db);
    await project.close();
  };

  const openShared = async <S extends 'auth' | 'project'>(service: S) => {
    const database = await openServiceDatabase({ service, dataDir: join(root, 'pglite'), legacyDataDir: join(root, service), logger });
    await database.migrate();
    return database;
  };

  it('is moved into the shared database on first start and kept, renamed, beside it', { timeout: 180_000 }, async () => {
    await writeLegacyLayout();

    const auth = await openShared('auth');
    const project = await openShared('project');
    try {
      expect(await new SqlUserRepository(auth.db).findByEmail('USER-1@example.test')).toEqual(aUser('user-1'));
      expect((await sql<{ id: string }>`SELECT id FROM projects`.execute(project.db)).rows).toEqual([{ id: 'project-1' }]);
      expect(await collaboratorSeqs(project.db)).toEqual([1, 2]);
      // The identity sequence moved with the rows: the next one does not reuse a number handed out before.
      await sql`INSERT INTO project_collaborators (project_id, user_id) VALUES ('project-1', 'd')`.execute(project.db);
      expect(await collaboratorSeqs(project.db)).toEqual([1, 2, 4]);
    } finally {
      await auth.close();
      await project.close();
    }
    expect(existsSync(join(root, 'auth'))).toBe(false);
    expect(existsSync(join(root, 'auth.moved', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(root, 'project.moved', 'PG_VERSION'))).toBe(true);

    // Started again: nothing to move, the data is where it was put.
    const again = await openShared('auth');
    try {
      expect(await new SqlUserRepository(again.db).findByEmail('USER-1@example.test')).toEqual(aUser('user-1'));
    } finally {
      await again.close();
    }
  });

  it('is refused, with the command that settles it, when the shared database already has that service', { timeout: 180_000 }, async () => {
    await writeLegacyLayout();
    await (await openShared('auth')).close();
    // An old directory reappears (restored from a backup, say) next to the moved data.
    await rename(join(root, 'auth.moved'), join(root, 'auth'));

    await expect(openShared('auth')).rejects.toThrow(/already has auth's tables.*mv .*auth .*auth\.moved/);
    expect(existsSync(join(root, 'auth', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(root, 'pglite.lock'))).toBe(false);
  });
});
