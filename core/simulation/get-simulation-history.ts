import { failure, type DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { SimulationDeps } from './deps.js';
import type { HistoryCursor } from './ports.js';
import { isSimulationStatus, type Simulation } from './simulation.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface HistoryInput {
  readonly userId: string;
  /** A project's simulations (the user must be able to read it); absent: the simulations the user started. */
  readonly projectId?: string;
  readonly status?: string;
  /** 1..100 (larger asks get 100); absent or 0: DEFAULT_PAGE_SIZE. */
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export interface HistoryView {
  /** Newest first. */
  readonly simulations: readonly Simulation[];
  /** Absent on the last page. */
  readonly nextPageToken?: string;
  readonly totalCount: number;
}

/** Tokens are opaque to callers: `<startedAt in base 36>.<id>` of the last item of the previous page. */
export const encodePageToken = (cursor: HistoryCursor): string => `${cursor.startedAt.toString(36)}.${cursor.id}`;

export const decodePageToken = (token: string): HistoryCursor | undefined => {
  const dot = token.indexOf('.');
  const startedAt = dot > 0 ? parseInt(token.slice(0, dot), 36) : Number.NaN;
  const id = token.slice(dot + 1);
  if (!Number.isSafeInteger(startedAt) || id === '' || encodePageToken({ startedAt, id }) !== token) return undefined;
  return { startedAt, id };
};

export const getSimulationHistory = async (
  deps: Pick<SimulationDeps, 'repository' | 'projects'>,
  input: HistoryInput,
): Promise<Result<HistoryView, DomainFailure>> => {
  const status = input.status || undefined;
  if (status !== undefined && !isSimulationStatus(status)) {
    return err(
      failure('invalid', 'invalid_request', 'Unknown status', [
        { field: 'status', message: 'must be running, completed, stopped or failed' },
      ]),
    );
  }
  const after = input.pageToken ? decodePageToken(input.pageToken) : undefined;
  if (input.pageToken && !after) {
    return err(
      failure('invalid', 'invalid_page_token', 'Invalid page token', [
        { field: 'page_token', message: 'is not a token this service gave' },
      ]),
    );
  }
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(0, Math.floor(input.pageSize ?? 0)) || DEFAULT_PAGE_SIZE);
  const query = { limit, ...(after ? { after } : {}), ...(status ? { status } : {}) };
  let page;
  if (input.projectId) {
    const project = await deps.projects.getProject(input.projectId, input.userId);
    if (!project.ok) return project;
    page = await deps.repository.listByProject(input.projectId, query);
  } else {
    page = await deps.repository.listByUser(input.userId, query);
  }
  const last = page.items[page.items.length - 1];
  return ok({
    simulations: page.items,
    ...(page.hasMore && last ? { nextPageToken: encodePageToken({ startedAt: last.startedAt, id: last.id }) } : {}),
    totalCount: page.total,
  });
};
