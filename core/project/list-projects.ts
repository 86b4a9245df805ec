import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure, FieldViolation } from '../shared/errors.js';
import type { ProjectDeps } from './deps.js';
import { ProjectFailures } from './errors.js';
import type { Project, ProjectStatus } from './model.js';
import { decodePageToken, encodePageToken } from '../shared/page-token.js';
import type { ProjectCursor, ProjectQuery } from './ports.js';
import { checkPageSize, checkStatus, ProjectLimits } from './validation.js';

/** Where listed projects come from: the caller's own, those shared with the caller, public ones. */
export type ProjectScope = 'owned' | 'shared' | 'public';
/** A scope, every scope (`accessible`: what the caller can read), or any combination of scopes. */
export type ProjectListFilter = ProjectScope | 'accessible' | readonly ProjectScope[];

export interface ListProjectsInput {
  readonly userId: string;
  /** Default `accessible`. */
  readonly filter?: ProjectListFilter;
  /** Only projects with this status; absent lists every status. */
  readonly status?: ProjectStatus;
  /** 1..100, default 20. */
  readonly pageSize?: number;
  /** From the previous page's `nextPageToken`. */
  readonly pageToken?: string;
}

export interface ProjectListPage {
  readonly projects: readonly Project[];
  /** Absent on the last page. */
  readonly nextPageToken?: string;
  /** Projects matching the filter in all pages. */
  readonly totalCount: number;
}

const TokenKind = 'projects';

/**
 * The projects the caller can read, newest first, one page at a time. Paging is by position, so
 * projects created while a client pages through do not shift the pages it has not read yet.
 */
export const listProjects = async (
  deps: Pick<ProjectDeps, 'projects'>,
  input: ListProjectsInput,
): Promise<Result<ProjectListPage, DomainFailure>> => {
  const violations: FieldViolation[] = [
    ...checkPageSize('pageSize', input.pageSize),
    ...(input.status === undefined ? [] : checkStatus('status', input.status)),
  ];
  if (violations.length > 0) return err(ProjectFailures.invalidInput(violations));
  const after = input.pageToken ? cursorOf(input.pageToken) : undefined;
  if (input.pageToken && !after) return err(ProjectFailures.invalidPageToken());

  const page = await deps.projects.list(queryFor(input), {
    limit: input.pageSize ?? ProjectLimits.pageSizeDefault,
    ...(after ? { after } : {}),
  });
  return ok({
    projects: page.projects,
    totalCount: page.totalCount,
    ...(page.next ? { nextPageToken: encodePageToken(TokenKind, [String(page.next.createdAt), page.next.id]) } : {}),
  });
};

const scopesOf = (filter: ProjectListFilter = 'accessible'): ReadonlySet<ProjectScope> =>
  new Set(filter === 'accessible' ? ['owned', 'shared', 'public'] : typeof filter === 'string' ? [filter] : filter);

const queryFor = (input: ListProjectsInput): ProjectQuery => {
  const scopes = scopesOf(input.filter);
  return {
    ...(scopes.has('owned') ? { ownerId: input.userId } : {}),
    ...(scopes.has('shared') ? { sharedWithUserId: input.userId } : {}),
    ...(scopes.has('public') ? { includePublic: true } : {}),
    ...(input.status ? { status: input.status } : {}),
  };
};

const cursorOf = (token: string): ProjectCursor | undefined => {
  const parts = decodePageToken(TokenKind, token);
  if (parts?.length !== 2) return undefined;
  const [createdAt, id] = parts as [string, string];
  const at = Number(createdAt);
  return Number.isSafeInteger(at) && createdAt !== '' ? { createdAt: at, id } : undefined;
};
