import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectTables } from '../../adapters/sql/project/project-tables.js';
import { SqlOutbox } from '../../adapters/sql/outbox/sql-outbox.js';
import { SqlExportRepository } from '../../adapters/sql/project/sql-export-repository.js';
import { SqlProjectRepository } from '../../adapters/sql/project/sql-project-repository.js';
import { describeOutboxContract } from '../messaging/outbox.contract.js';
import { describeExportRepositoryContract } from '../project-grpc/export-repository.contract.js';
import { aProject, anId } from '../project/builders.js';
import { describeProjectRepositoryContract } from '../project/project-repository.contract.js';
import { describeProjectServiceContract } from '../project/project-service.contract.js';
import { describeMigrationContract } from './migration.contract.js';
import { useSharedDatabase, type DatabaseLease, type SharedDatabase } from './shared-database.js';
import type { SqlBackend } from './sql-backends.js';

/** The project and export repositories' contracts, the project use cases and the project schema, on one backend. */
export const describeProjectOnSql = (backend: SqlBackend): void => {
  const shared = useSharedDatabase(backend, 'project');
  const projects = async () => {
    const lease = await shared.lease();
    return { repo: new SqlProjectRepository(shared.db), close: lease.close };
  };
  const on = `on ${backend.name}`;

  describeMigrationContract(backend.name, shared, [
    'exports',
    'idempotency_keys',
    'outbox',
    'project_collaborators',
    'project_shares',
    'projects',
  ]);
  describeProjectRepositoryContract(`SqlProjectRepository ${on}`, projects);
  describeProjectServiceContract(`SqlProjectRepository ${on}`, projects);
  describeExportRepositoryContract(`SqlExportRepository ${on}`, async () => {
    const lease = await shared.lease();
    const outbox = new SqlOutbox(shared.db);
    return { repo: new SqlExportRepository(shared.db, outbox), outbox, close: lease.close };
  });
  describeProjectConstraints(backend.name, shared);
  describeOutboxContract(`SqlOutbox ${on}`, async () => {
    const lease = await shared.lease();
    const repo = new SqlProjectRepository(shared.db);
    return { repo, outbox: repo.outbox, close: lease.close };
  });
};

const describeProjectConstraints = (backendName: string, shared: SharedDatabase<ProjectTables>): void => {
  describe(`project schema constraints on ${backendName}`, () => {
    let lease: DatabaseLease;
    beforeEach(async () => {
      lease = await shared.lease();
    });
    afterEach(async () => {
      await lease.close();
    });

    const childRows = async () =>
      (
        await sql<{ shares: number; collaborators: number }>`
          SELECT (SELECT count(*) FROM project_shares) AS shares, (SELECT count(*) FROM project_collaborators) AS collaborators`.execute(
          shared.db,
        )
      ).rows[0];

    it('deletes the shares and collaborators of a deleted project', async () => {
      const repo = new SqlProjectRepository(shared.db);
      const project = aProject({ shares: [{ userId: anId('user'), role: 'viewer', sharedAt: 1 }], collaborators: [anId('user')] });
      await repo.create(project);
      expect(await childRows()).toEqual({ shares: 1, collaborators: 1 });

      await repo.delete(project.id);

      expect(await childRows()).toEqual({ shares: 0, collaborators: 0 });
    });

    it('refuses shares and collaborators of a project that is not stored', async () => {
      const projectId = anId('project');
      const share = { project_id: projectId, user_id: anId('user'), role: 'viewer', shared_at: 1, position: 0 };

      await expect(shared.db.insertInto('project_shares').values(share).execute()).rejects.toMatchObject({ code: '23503' });
      await expect(
        shared.db
          .insertInto('project_collaborators')
          .values({ project_id: projectId, user_id: anId('user') })
          .execute(),
      ).rejects.toMatchObject({ code: '23503' });
    });

    it('refuses an unknown status or share role', async () => {
      await expect(new SqlProjectRepository(shared.db).create({ ...aProject(), status: 'deleted' as 'active' })).rejects.toMatchObject({
        code: '23514',
      });
      const project = aProject();
      await new SqlProjectRepository(shared.db).create(project);
      const owner = { project_id: project.id, user_id: anId('user'), role: 'owner', shared_at: 1, position: 0 };
      await expect(shared.db.insertInto('project_shares').values(owner).execute()).rejects.toMatchObject({ code: '23514' });
    });

    it('rolls a failed create back entirely', async () => {
      const userId = anId('user');
      const twice = aProject({ collaborators: [userId, userId] });

      await expect(new SqlProjectRepository(shared.db).create(twice)).rejects.toMatchObject({ code: '23505' });

      expect(await new SqlProjectRepository(shared.db).findById(twice.id)).toBeUndefined();
    });
  });
};
