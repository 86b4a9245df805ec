import type { Kysely } from 'kysely';
import type { SigningKeyCipher } from '../../crypto/signing-key-cipher.js';
import type { AuthTables } from './auth-tables.js';

/**
 * Seals, under the cipher's current key, every stored private key that is in the clear (rows from
 * before docs/adr/0035) or sealed under an older key. Each row is replaced only if it is unchanged
 * since it was read, so instances starting together do no harm. Resolves how many rows it sealed.
 */
export const sealStoredSigningKeys = async (db: Kysely<AuthTables>, cipher: SigningKeyCipher): Promise<number> => {
  const rows = await db.selectFrom('signing_keys').select(['kid', 'private_key']).execute();
  let sealed = 0;
  for (const row of rows) {
    if (!cipher.needsSealing(row.private_key)) continue;
    const next = cipher.seal(cipher.open(row.private_key, row.kid), row.kid);
    const result = await db
      .updateTable('signing_keys')
      .set({ private_key: next })
      .where('kid', '=', row.kid)
      .where('private_key', '=', row.private_key)
      .executeTakeFirst();
    sealed += Number(result.numUpdatedRows);
  }
  return sealed;
};
