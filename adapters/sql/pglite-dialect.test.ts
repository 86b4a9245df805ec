import { sharedPGlite } from './shared-pglite.js';
import { AbortedTransactionError, Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PGliteDialect } from './pglite-dialect.js';

interface Tables {
  items: { id: string; at: number };
}

describe('PGliteDialect', () => {
  let db: Kysely<Tables>;
  beforeAll(async () => {
    db = new Kysely<Tables>({ dialect: new PGliteDialect(await sharedPGlite('memory://')) });
    await sql`CREATE TABLE items (id text PRIMARY KEY, at bigint NOT NULL)`.execute(db);
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
  });
  beforeEach(async () => {
    await db.deleteFrom('items').execute();
  });

  const count = async (): Promise<number> =>
    (
      await db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('keeps queries made outside a transaction out of it, so a rollback does not undo them', async () => {
    let outside: Promise<unknown> = Promise.resolve();
    const failing = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 'inside', at: 1 }).execute();
      outside = db.insertInto('items').values({ id: 'outside', at: 2 }).execute();
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('changed my mind');
    });

    await expect(failing).rejects.toThrow('changed my mind');
    await outside;

    expect(await db.selectFrom('items').select('id').execute()).toEqual([{ id: 'outside' }]);
  });

  it('commits a transaction and rolls back to a savepoint', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('items').values({ id: 'kept', at: 1 }).execute();
    const attempt = await trx.savepoint('attempt').execute();
    await attempt.insertInto('items').values({ id: 'dropped', at: 2 }).execute();
    await attempt.rollbackToSavepoint('attempt').execute();
    await trx.commit().execute();

    expect(await db.selectFrom('items').select('id').execute()).toEqual([{ id: 'kept' }]);
  });

  it('refuses to commit a transaction a failed statement aborted, as PostgreSQL does', async () => {
    await db.insertInto('items').values({ id: 'taken', at: 1 }).execute();

    const swallowing = db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 'new', at: 2 }).execute();
      await trx
        .insertInto('items')
        .values({ id: 'taken', at: 3 })
        .execute()
        .catch(() => undefined);
    });

    await expect(swallowing).rejects.toBeInstanceOf(AbortedTransactionError);
    expect(await db.selectFrom('items').select('id').execute()).toEqual([{ id: 'taken' }]);
  });

  it('reports the rows an insert, update or delete touched', async () => {
    const inserted = await db
      .insertInto('items')
      .values([
        { id: 'a', at: 1 },
        { id: 'b', at: 2 },
      ])
      .executeTakeFirst();
    const updated = await db.updateTable('items').set({ at: 3 }).where('id', '=', 'a').executeTakeFirst();
    const deleted = await db.deleteFrom('items').where('id', 'in', ['a', 'b', 'c']).executeTakeFirst();

    expect([inserted.numInsertedOrUpdatedRows, updated.numUpdatedRows, deleted.numDeletedRows]).toEqual([2n, 1n, 2n]);
    expect(await count()).toBe(0);
  });

  it('reads BIGINT as a number, and refuses one beyond 2^53 rather than rounding it', async () => {
    await db
      .insertInto('items')
      .values({ id: 'now', at: Date.UTC(2026, 0, 1) })
      .execute();
    expect(await db.selectFrom('items').select('at').executeTakeFirst()).toEqual({ at: Date.UTC(2026, 0, 1) });

    await sql`INSERT INTO items VALUES ('far', 9007199254740993)`.execute(db);
    await expect(db.selectFrom('items').select('at').where('id', '=', 'far').execute()).rejects.toThrow(/does not fit/);
  });

  it('passes errors on with the SQLSTATE and constraint of PostgreSQL', async () => {
    await db.insertInto('items').values({ id: 'a', at: 1 }).execute();

    await expect(db.insertInto('items').values({ id: 'a', at: 2 }).execute()).rejects.toMatchObject({
      code: '23505',
      constraint: 'items_pkey',
    });
  });
});
