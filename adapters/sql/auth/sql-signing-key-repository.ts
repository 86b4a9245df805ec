import type { Kysely } from 'kysely';
import type { SigningKey } from '../../../core/auth/model.js';
import type { SigningKeyRepository } from '../../../core/auth/ports.js';
import type { AuthTables, SigningKeysTable } from './auth-tables.js';

/** SigningKeyRepository on the auth schema: every auth instance on the database shares the keys. */
export class SqlSigningKeyRepository implements SigningKeyRepository {
  constructor(private readonly db: Kysely<AuthTables>) {}

  async add(key: SigningKey): Promise<boolean> {
    const result = await this.db
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        public_jwk: key.publicJwk,
        private_key: key.privateKey,
        created_at: key.createdAt,
        retired_at: key.retiredAt,
      })
      .onConflict((conflict) => conflict.column('kid').doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async list(): Promise<SigningKey[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
    return rows.map(fromRow);
  }

  async retireAllExcept(kid: string, at: number): Promise<number> {
    const result = await this.db
      .updateTable('signing_keys')
      .set({ retired_at: at })
      .where('kid', '<>', kid)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async deleteRetiredBefore(before: number): Promise<number> {
    const result = await this.db.deleteFrom('signing_keys').where('retired_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

const fromRow = (row: SigningKeysTable): SigningKey => ({
  kid: row.kid,
  publicJwk: row.public_jwk,
  privateKey: row.private_key,
  createdAt: row.created_at,
  retiredAt: row.retired_at,
});
