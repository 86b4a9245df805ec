import type { Kysely } from 'kysely';
import type { OutboxMessage } from '../../../core/messaging/outbox.js';
import type { Project } from '../../../core/project/model.js';
import type {
  CollaboratorsChange,
  ProjectPage,
  ProjectPageRequest,
  ProjectQuery,
  ProjectRepository,
  ProjectWriteConflict,
} from '../../../core/project/ports.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import { afterCursor, matchingProjects } from './project-listing.js';
import { fromProjectRow, insertShares, selectProjects, sharesInsert, toProjectRow } from './project-rows.js';
import { SqlOutbox } from '../outbox/sql-outbox.js';
import type { ProjectTables } from './project-tables.js';

/**
 * ProjectRepository on the project schema. Updates are optimistic (`WHERE id = ? AND version = ?`)
 * and rewrite the shares in the same transaction but never the collaborators, which change only
 * one row at a time (`INSERT ... ON CONFLICT DO NOTHING`, `DELETE`), so no join is lost.
 */
export class SqlProjectRepository implements ProjectRepository {
  constructor(
    private readonly db: Kysely<ProjectTables>,
    readonly outbox: SqlOutbox = new SqlOutbox(db),
  ) {}

  async create(project: Project, outbox: readonly OutboxMessage[] = []): Promise<void> {
    const shares = sharesInsert(this.db, project.id, project.shares);
    const collaborators =
      project.collaborators.length > 0
        ? this.db
            .insertInto('project_collaborators')
            .values(project.collaborators.map((userId) => ({ project_id: project.id, user_id: userId })))
        : undefined;
    await this.outbox.writeWith(
      [
        this.db.insertInto('projects').values(toProjectRow(project)).returning('id'),
        ...(shares ? [shares] : []),
        ...(collaborators ? [collaborators] : []),
      ],
      aggregateOf(project.id),
      outbox,
      project,
    );
  }

  async findById(id: string): Promise<Project | undefined> {
    const row = await selectProjects(this.db).where('projects.id', '=', id).executeTakeFirst();
    return row && fromProjectRow(row);
  }

  async update(project: Project, outbox: readonly OutboxMessage[] = []): Promise<Result<Project, ProjectWriteConflict>> {
    const { id, version, ...fields } = toProjectRow(project);
    const result = await this.db.transaction().execute(async (trx): Promise<Result<Project, ProjectWriteConflict>> => {
      const updated = await trx
        .updateTable('projects')
        .set({ ...fields, version: version + 1 })
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) {
        const exists = await trx.selectFrom('projects').select('id').where('id', '=', id).executeTakeFirst();
        return err(exists ? 'stale_version' : 'not_found');
      }
      await trx.deleteFrom('project_shares').where('project_id', '=', id).execute();
      await insertShares(trx, id, project.shares);
      await this.outbox.record(trx, aggregateOf(id), outbox);
      return ok(fromProjectRow(await selectProjects(trx).where('projects.id', '=', id).executeTakeFirstOrThrow()));
    });
    if (result.ok) this.outbox.recorded(outbox);
    return result;
  }

  async delete(id: string, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    const deleted = await this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('projects').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await this.outbox.record(trx, aggregateOf(id), outbox);
      return true;
    });
    if (deleted) this.outbox.recorded(outbox);
    return deleted;
  }

  async list(query: ProjectQuery, page: ProjectPageRequest): Promise<ProjectPage> {
    const matching = matchingProjects(query);
    if (!matching) return { projects: [], totalCount: 0 };
    const { after } = page;
    const [rows, counted] = await Promise.all([
      selectProjects(this.db)
        .where(matching)
        .$if(after !== undefined, (select) => select.where(afterCursor(after!)))
        .orderBy('projects.created_at', 'desc')
        .orderBy('projects.id', 'desc')
        .limit(page.limit + 1)
        .execute(),
      this.db
        .selectFrom('projects')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where(matching)
        .executeTakeFirstOrThrow(),
    ]);
    const projects = rows.slice(0, page.limit).map(fromProjectRow);
    const last = projects.at(-1);
    return {
      projects,
      totalCount: counted.count,
      ...(rows.length > page.limit && last ? { next: { createdAt: last.createdAt, id: last.id } } : {}),
    };
  }

  async ownsAny(ownerId: string): Promise<boolean> {
    const row = await this.db.selectFrom('projects').select('id').where('owner_id', '=', ownerId).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async addCollaborator(projectId: string, userId: string): Promise<CollaboratorsChange | undefined> {
    return this.changeCollaborators(projectId, async (trx) => {
      const inserted = await trx
        .insertInto('project_collaborators')
        .values({ project_id: projectId, user_id: userId })
        .onConflict((conflict) => conflict.columns(['project_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
    });
  }

  async removeCollaborator(projectId: string, userId: string): Promise<CollaboratorsChange | undefined> {
    return this.changeCollaborators(projectId, async (trx) => {
      const deleted = await trx
        .deleteFrom('project_collaborators')
        .where('project_id', '=', projectId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return deleted.numDeletedRows > 0n;
    });
  }

  // The project row is held FOR KEY SHARE: it cannot be deleted meanwhile, yet updates and other
  // joins go on. The list read afterwards includes joins committed by others in the meantime.
  private async changeCollaborators(
    projectId: string,
    change: (trx: Kysely<ProjectTables>) => Promise<boolean>,
  ): Promise<CollaboratorsChange | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const project = await trx.selectFrom('projects').select('id').where('id', '=', projectId).forKeyShare().executeTakeFirst();
      if (!project) return undefined;
      const changed = await change(trx);
      const rows = await trx
        .selectFrom('project_collaborators')
        .select('user_id')
        .where('project_id', '=', projectId)
        .orderBy('seq')
        .execute();
      return { collaborators: rows.map((row) => row.user_id), changed };
    });
  }
}

const aggregateOf = (projectId: string): string => `project:${projectId}`;
