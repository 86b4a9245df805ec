import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { ProjectCursor, ProjectQuery } from '../../../core/project/ports.js';
import type { ProjectTables } from './project-tables.js';

type ProjectsExpressions = ExpressionBuilder<ProjectTables, 'projects'>;

/** The query's criteria as alternatives, restricted to its status; undefined when it has no criterion. */
export const matchingProjects = (query: ProjectQuery): ((eb: ProjectsExpressions) => Expression<SqlBool>) | undefined => {
  const alternatives = (eb: ProjectsExpressions): Expression<SqlBool>[] => [
    ...(query.ownerId === undefined ? [] : [eb('projects.owner_id', '=', query.ownerId)]),
    ...(query.sharedWithUserId === undefined
      ? []
      : [
          eb.exists(
            eb
              .selectFrom('project_shares')
              .select('project_shares.project_id')
              .whereRef('project_shares.project_id', '=', 'projects.id')
              .where('project_shares.user_id', '=', query.sharedWithUserId),
          ),
        ]),
    ...(query.includePublic === true ? [eb('projects.is_public', '=', true)] : []),
  ];
  const hasCriterion = query.ownerId !== undefined || query.sharedWithUserId !== undefined || query.includePublic === true;
  if (!hasCriterion) return undefined;
  return (eb) => {
    const matching = eb.or(alternatives(eb));
    return query.status === undefined ? matching : eb.and([matching, eb('projects.status', '=', query.status)]);
  };
};

/** Projects after the cursor in the listing order (created_at, id) descending; ids compare in "C" collation. */
export const afterCursor =
  (cursor: ProjectCursor) =>
  (eb: ProjectsExpressions): Expression<SqlBool> =>
    eb(eb.refTuple('projects.created_at', 'projects.id'), '<', eb.tuple(cursor.createdAt, cursor.id));
