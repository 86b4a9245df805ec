import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInWriteScope, type WriteScope } from '../../adapters/idempotency/write-scope.js';
import { SqlIdempotencyStore } from '../../adapters/sql/idempotency/sql-idempotency-store.js';
import { SqlOutbox } from '../../adapters/sql/outbox/sql-outbox.js';
import { SqlProjectRepository } from '../../adapters/sql/project/sql-project-repository.js';
import type { Project } from '../../core/project/model.js';
import { aProject } from '../project/builders.js';
import { useSharedDatabase, type DatabaseLease } from '../sql/shared-database.js';
import type { SqlBackend } from '../sql/sql-backends.js';
import { describeIdempotencyStoreContract } from './idempotency-store.contract.js';

const HOUR = 3_600_000;

/** The store's contract, and the key written in the write's own transaction (docs/adr/0058), on one backend. */
export const describeIdempotencyOnSql = (backend: SqlBackend): void => {
  const shared = useSharedDatabase(backend, 'project');
  const clock = { now: () => Date.now() };

  describeIdempotencyStoreContract(`SqlIdempotencyStore on ${backend.name}`, async () => {
    const lease = await shared.lease();
    return { store: new SqlIdempotencyStore(shared.db, { retentionMs: HOUR, clock }), close: lease.close };
  });

  describe(`idempotency keys in the write's transaction on ${backend.name}`, () => {
    let lease: DatabaseLease;
    let store: SqlIdempotencyStore;
    let projects: SqlProjectRepository;
    beforeEach(async () => {
      lease = await shared.lease();
      store = new SqlIdempotencyStore(shared.db, { retentionMs: HOUR, clock });
      projects = new SqlProjectRepository(shared.db, new SqlOutbox(shared.db, { keys: store }));
    });
    afterEach(async () => {
      await lease.close();
    });

    const scopeOf = (key: string, owner: object = store): WriteScope => ({ owner, key, fingerprint: 'fp', recorded: false, taken: false });
    const createIn = (scope: WriteScope, project: Project) => runInWriteScope(scope, () => projects.create(project));

    it('records the key with the write, without an outcome yet', async () => {
      const scope = scopeOf('key-1');

      await createIn(scope, aProject());

      expect(scope).toMatchObject({ recorded: true, taken: false });
      expect(await store.find('key-1', Date.now())).toEqual({ fingerprint: 'fp' });
    });

    it('stores the answer with the write, in its statement, when the answer follows from what was written', async () => {
      const project = aProject();
      const scope = { ...scopeOf('key-7'), answerFromWrite: (written: unknown) => `created ${(written as Project).id}` };

      await createIn(scope, project);

      // No crash between the commit and the answer can lose it: both are one statement.
      expect(await store.find('key-7', Date.now())).toEqual({ fingerprint: 'fp', outcome: `created ${project.id}` });
    });

    it("rolls a second attempt's write back when the first one committed the key, and says so", async () => {
      const [first, second] = [aProject(), aProject()];
      await createIn(scopeOf('key-2'), first);
      const again = scopeOf('key-2');

      await expect(createIn(again, second)).rejects.toMatchObject({ failure: { code: 'idempotency_key_in_use' } });

      expect(again.taken).toBe(true);
      expect(await projects.findById(second.id)).toBeUndefined();
      expect(await projects.findById(first.id)).toBeDefined();
    });

    it('lets two attempts racing with one key store exactly one write', async () => {
      const attempts = [aProject(), aProject(), aProject()];
      const scopes = attempts.map(() => scopeOf('key-3'));

      const settled = await Promise.allSettled(attempts.map((project, index) => createIn(scopes[index]!, project)));

      expect(settled.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect(scopes.filter((scope) => scope.taken)).toHaveLength(2);
      const stored = await Promise.all(attempts.map((project) => projects.findById(project.id)));
      expect(stored.filter((project) => project !== undefined)).toHaveLength(1);
    });

    it('leaves no key behind when the write does not commit', async () => {
      const duplicate = aProject();
      await projects.create(duplicate);

      await expect(createIn(scopeOf('key-4'), duplicate)).rejects.toThrow();

      expect(await store.find('key-4', Date.now())).toBeUndefined();
    });

    it("ignores the scope of another store (a service of the same process that the handler's work reached)", async () => {
      const foreign = scopeOf('key-5', {});

      await createIn(foreign, aProject());

      expect(foreign.recorded).toBe(false);
      expect(await store.find('key-5', Date.now())).toBeUndefined();
    });

    it('gives an expired key to the next write', async () => {
      const expired = new SqlIdempotencyStore(shared.db, { retentionMs: -1, clock });
      const old = new SqlProjectRepository(shared.db, new SqlOutbox(shared.db, { keys: expired }));
      await runInWriteScope(scopeOf('key-6', expired), () => old.create(aProject()));

      const fresh = scopeOf('key-6');
      await createIn(fresh, aProject());

      expect(fresh.recorded).toBe(true);
    });
  });
};
