import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthTables } from '../../adapters/sql/auth/auth-tables.js';
import { SqlRefreshTokenRepository } from '../../adapters/sql/auth/sql-refresh-token-repository.js';
import { SqlSigningKeyRepository } from '../../adapters/sql/auth/sql-signing-key-repository.js';
import { SqlResourceGrantRepository } from '../../adapters/sql/auth/sql-resource-grant-repository.js';
import { SqlSessionRepository } from '../../adapters/sql/auth/sql-session-repository.js';
import { SqlUserRepository } from '../../adapters/sql/auth/sql-user-repository.js';
import { SqlAuditLog } from '../../adapters/sql/auth/sql-audit-log.js';
import { SqlAnnouncementRepository } from '../../adapters/sql/auth/sql-announcement-repository.js';
import { toUserRow } from '../../adapters/sql/auth/user-rows.js';
import { SqlOutbox } from '../../adapters/sql/outbox/sql-outbox.js';
import { SqlIdempotencyStore } from '../../adapters/sql/idempotency/sql-idempotency-store.js';
import { runInWriteScope, type WriteScope } from '../../adapters/idempotency/write-scope.js';
import { outboxEvent } from '../../core/messaging/outbox.js';
import { eventsOf, takePending } from '../support/outbox-relay.js';
import { outboxOf } from '../support/outbox-relay.js';
import type { AuthRepositories } from '../auth/auth-harness.js';
import { describeAuthServiceContract } from '../auth/auth-service.contract.js';
import { describeAuditLogContract } from '../auth/audit-log.contract.js';
import { aGrant, aSession, aUser } from '../auth/builders.js';
import { describeRefreshTokenRepositoryContract } from '../auth/refresh-token-repository.contract.js';
import { describeSigningKeyRepositoryContract } from '../auth/signing-key-repository.contract.js';
import { describeResourceGrantRepositoryContract } from '../auth/resource-grant-repository.contract.js';
import { describeSessionRepositoryContract } from '../auth/session-repository.contract.js';
import { describeUserRepositoryContract } from '../auth/user-repository.contract.js';
import { grantsOfStoredUsers, sessionsOfStoredUsers } from './auth-parent-users.js';
import { describeMigrationContract } from './migration.contract.js';
import { useSharedDatabase, type DatabaseLease, type SharedDatabase } from './shared-database.js';
import type { SqlBackend } from './sql-backends.js';

/** The auth repositories' contracts, the auth use cases and the auth schema, on one backend. */
export const describeAuthOnSql = (backend: SqlBackend): void => {
  const shared = useSharedDatabase(backend, 'auth');
  const repositories = async (): Promise<AuthRepositories> => {
    const lease = await shared.lease();
    const audit = new SqlAuditLog(shared.db);
    const users = new SqlUserRepository(shared.db, undefined, audit);
    return {
      users,
      audit,
      announcements: new SqlAnnouncementRepository(shared.db, audit),
      sessions: new SqlSessionRepository(shared.db, users.outbox),
      grants: new SqlResourceGrantRepository(shared.db, users.outbox),
      refreshTokens: new SqlRefreshTokenRepository(shared.db),
      close: lease.close,
    };
  };
  const on = `on ${backend.name}`;

  describeMigrationContract(backend.name, shared, [
    'announcements',
    'audit_log',
    'idempotency_keys',
    'outbox',
    'refresh_tokens',
    'resource_grants',
    'sessions',
    'signing_keys',
    'users',
  ]);
  describeUserRepositoryContract(`SqlUserRepository ${on}`, async () => {
    const { users, close } = await repositories();
    return { repo: users, outbox: outboxOf(users), close };
  });
  describeSessionRepositoryContract(`SqlSessionRepository ${on}`, async () => {
    const { users, sessions, close } = await repositories();
    return { repo: sessionsOfStoredUsers(users, sessions), outbox: outboxOf(users), close };
  });
  describeResourceGrantRepositoryContract(`SqlResourceGrantRepository ${on}`, async () => {
    const { users, grants, close } = await repositories();
    return { repo: grantsOfStoredUsers(users, grants), outbox: outboxOf(users), close };
  });
  describeRefreshTokenRepositoryContract(`SqlRefreshTokenRepository ${on}`, async () => {
    const { users, sessions, close } = await repositories();
    const refreshTokens = new SqlRefreshTokenRepository(shared.db);
    const parents = sessionsOfStoredUsers(users, sessions);
    const parentSession = async () => {
      const session = aSession();
      await parents.create(session);
      return session;
    };
    return { repo: refreshTokens, parentSession, close };
  });
  describeSigningKeyRepositoryContract(`SqlSigningKeyRepository ${on}`, async () => {
    const lease = await shared.lease();
    return { repo: new SqlSigningKeyRepository(shared.db), close: lease.close };
  });
  describeAuthServiceContract(`SQL repositories ${on}`, repositories);
  describeAuditLogContract(`SqlAuditLog with the SQL user and announcement repositories ${on}`, async () => {
    const { users, audit, announcements, close } = await repositories();
    return { users, audit: audit!, announcements: announcements!, close };
  });
  describeAuthConstraints(backend.name, shared);
};

const describeAuthConstraints = (backendName: string, shared: SharedDatabase<AuthTables>): void => {
  describe(`auth schema constraints on ${backendName}`, () => {
    let lease: DatabaseLease;
    beforeEach(async () => {
      lease = await shared.lease();
    });
    afterEach(async () => {
      await lease.close();
    });

    it('refuses a session or a grant of a user that is not stored', async () => {
      const outbox = new SqlOutbox(shared.db);
      await expect(new SqlSessionRepository(shared.db, outbox).create(aSession())).rejects.toMatchObject({ code: '23503' });
      await expect(new SqlResourceGrantRepository(shared.db, outbox).grant(aGrant())).rejects.toMatchObject({ code: '23503' });
    });

    it("writes a grant, its messages in their order and a served write's idempotency key in one statement, or nothing when the key is in use", async () => {
      const user = aUser();
      await new SqlUserRepository(shared.db).create(user);
      const store = new SqlIdempotencyStore(shared.db, { retentionMs: 60_000, clock: { now: () => Date.now() } });
      const outbox = new SqlOutbox(shared.db, { keys: store });
      const grants = new SqlResourceGrantRepository(shared.db, outbox);
      const note = (type: string) => outboxEvent('auth:events:test', { type, timestamp: 1 });
      const scope = (key: string): WriteScope => ({ owner: store, key, fingerprint: 'fp', recorded: false, taken: false });

      expect(await grants.grant(aGrant({ userId: user.id, resourceId: 'r1' }), [note('a'), note('b'), note('c')])).toBe(true);
      const served = scope('grant-key');
      expect(await runInWriteScope(served, () => grants.grant(aGrant({ userId: user.id, resourceId: 'r2' }), [note('served')]))).toBe(true);
      // Another attempt of the same write: the key is taken, so its grant is rolled back with it.
      const again = scope('grant-key');
      await expect(
        runInWriteScope(again, () => grants.grant(aGrant({ userId: user.id, resourceId: 'r3' }), [note('again')])),
      ).rejects.toThrow();

      expect(served).toMatchObject({ recorded: true, taken: false });
      expect(again).toMatchObject({ recorded: false, taken: true });
      expect(await store.find('grant-key', Date.now())).toEqual({ fingerprint: 'fp' });
      expect(await grants.find(user.id, 'r3')).toBeUndefined();
      expect(eventsOf(await takePending(outbox))).toEqual([
        'auth:events:test a',
        'auth:events:test b',
        'auth:events:test c',
        'auth:events:test served',
      ]);
      expect(await grants.revoke(user.id, 'r1', [note('revoked')])).toBe(true);
      expect(await grants.revoke(user.id, 'r1', [note('not again')])).toBe(false);
      expect(eventsOf(await takePending(outbox))).toEqual(['auth:events:test revoked']);
    });

    it("deletes a user's sessions and grants with the user", async () => {
      const user = aUser();
      const users = new SqlUserRepository(shared.db);
      await users.create(user);
      await new SqlSessionRepository(shared.db, users.outbox).create(aSession({ userId: user.id }));
      await new SqlResourceGrantRepository(shared.db, users.outbox).grant(aGrant({ userId: user.id }));

      await shared.db.deleteFrom('users').where('id', '=', user.id).execute();

      const counts = await sql<{ sessions: number; grants: number }>`
        SELECT (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM resource_grants) AS grants`.execute(shared.db);
      expect(counts.rows).toEqual([{ sessions: 0, grants: 0 }]);
    });

    it('keeps emails unique by their normalised form, whoever writes the row', async () => {
      const user = aUser();
      await shared.db.insertInto('users').values(toUserRow(user)).execute();

      const twin = { ...toUserRow(aUser()), email: user.email.toUpperCase(), email_key: user.email };
      await expect(shared.db.insertInto('users').values(twin).execute()).rejects.toMatchObject({ code: '23505' });
    });

    it('refuses unknown roles and missing required fields', async () => {
      const unknownRole = { ...toUserRow(aUser()), roles: ['root'] };
      await expect(shared.db.insertInto('users').values(unknownRole).execute()).rejects.toMatchObject({ code: '23514' });

      const nameless = { ...toUserRow(aUser()), name: null as unknown as string };
      await expect(shared.db.insertInto('users').values(nameless).execute()).rejects.toMatchObject({ code: '23502' });
    });
  });
};
