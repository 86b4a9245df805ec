import { sql, type Insertable, type Kysely } from 'kysely';
import { isProjectStatus, isShareRole, type Project, type ProjectShare } from '../../../core/project/model.js';
import type { ProjectRow, ProjectTables, ProjectsTable } from './project-tables.js';

interface StoredShare {
  readonly userId: string;
  readonly role: string;
  readonly sharedAt: number;
}

/**
 * Projects with their shares (in position order) and collaborators (in joining order), each
 * project in one row, so a project is read in one statement: one consistent snapshot.
 */
export const selectProjects = (db: Kysely<ProjectTables>) =>
  db
    .selectFrom('projects')
    .selectAll('projects')
    .select([
      sql<StoredShare[]>`coalesce((
        SELECT json_agg(json_build_object('userId', s.user_id, 'role', s.role, 'sharedAt', s.shared_at) ORDER BY s.position)
        FROM project_shares s WHERE s.project_id = projects.id), '[]'::json)`.as('shares'),
      sql<string[]>`coalesce((
        SELECT json_agg(c.user_id ORDER BY c.seq)
        FROM project_collaborators c WHERE c.project_id = projects.id), '[]'::json)`.as('collaborators'),
    ]);

export type ProjectWithChildrenRow = ProjectRow & { readonly shares: StoredShare[]; readonly collaborators: string[] };

export const toProjectRow = (project: Project): Insertable<ProjectsTable> & { readonly id: string; readonly version: number } => ({
  id: project.id,
  owner_id: project.ownerId,
  name: project.name,
  description: project.description,
  template_id: project.templateId,
  configuration: JSON.stringify(project.configuration),
  is_public: project.isPublic,
  status: project.status,
  created_at: project.createdAt,
  updated_at: project.updatedAt,
  version: project.version,
  revisions: JSON.stringify(project.revisions),
  revisions_pruned_through: project.revisionsPrunedThrough,
});

export const fromProjectRow = (row: ProjectWithChildrenRow): Project => {
  if (!isProjectStatus(row.status)) throw new Error(`project ${row.id} has unknown status ${row.status}`);
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    description: row.description,
    templateId: row.template_id,
    configuration: row.configuration,
    isPublic: row.is_public,
    status: row.status,
    shares: row.shares.map((share) => toShare(row.id, share)),
    collaborators: row.collaborators,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
    revisions: row.revisions,
    revisionsPrunedThrough: row.revisions_pruned_through,
  };
};

const toShare = (projectId: string, share: StoredShare): ProjectShare => {
  if (!isShareRole(share.role)) throw new Error(`share of project ${projectId} with ${share.userId} has unknown role ${share.role}`);
  return { userId: share.userId, role: share.role, sharedAt: share.sharedAt };
};

/** The statement storing `shares` of `projectId` in their order, or undefined when there are none. */
export const sharesInsert = (db: Kysely<ProjectTables>, projectId: string, shares: readonly ProjectShare[]) =>
  shares.length === 0
    ? undefined
    : db.insertInto('project_shares').values(
        shares.map((share, position) => ({
          project_id: projectId,
          user_id: share.userId,
          role: share.role,
          shared_at: share.sharedAt,
          position,
        })),
      );

/** Writes the shares of a project (which has none stored at this point), keeping their order. */
export const insertShares = async (db: Kysely<ProjectTables>, projectId: string, shares: readonly ProjectShare[]): Promise<void> => {
  await sharesInsert(db, projectId, shares)?.execute();
};
