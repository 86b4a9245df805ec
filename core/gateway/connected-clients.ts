import type { DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import { decodePageToken, encodePageToken } from '../shared/page-token.js';
import { invalidField } from './errors.js';
import type { ConnectedClient } from './model.js';

export const DEFAULT_CLIENT_PAGE_SIZE = 50;
export const MAX_CLIENT_PAGE_SIZE = 500;

const TOKEN_KIND = 'clients';

export interface ConnectedClientsQuery {
  /** Only this user's clients; empty or absent: every user. */
  readonly userId?: string;
  /** Only clients subscribed to this topic; empty or absent: any. */
  readonly subscription?: string;
  /** 1..500; 0 or absent: 50. */
  readonly pageSize?: number;
  /** From the previous page; empty or absent: the first page. */
  readonly pageToken?: string;
}

export interface ConnectedClientsPage {
  readonly clients: readonly ConnectedClient[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
  /** Clients matching the filters, on every page. */
  readonly totalCount: number;
}

/**
 * One page of `clients`, oldest connection first (ties by client id). Paging is by cursor: clients
 * leaving between two pages do not make others repeat or be skipped.
 */
export const connectedClients = (
  clients: readonly ConnectedClient[],
  query: ConnectedClientsQuery,
): Result<ConnectedClientsPage, DomainFailure> => {
  const pageSize = query.pageSize || DEFAULT_CLIENT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_CLIENT_PAGE_SIZE) {
    return err(invalidField('page_size', `must be from 1 to ${MAX_CLIENT_PAGE_SIZE}`));
  }
  const after = query.pageToken ? decodeCursor(query.pageToken) : undefined;
  if (query.pageToken && !after) return err(invalidField('page_token', 'is not a token this gateway issued'));

  const matching = clients
    .filter((client) => !query.userId || client.userId === query.userId)
    .filter((client) => !query.subscription || client.subscriptions.includes(query.subscription))
    .sort(byConnection);
  const start = after ? matching.findIndex((client) => byConnection(client, after) > 0) : 0;
  const rest = start < 0 ? [] : matching.slice(start);
  const page = rest.slice(0, pageSize);
  const last = page.at(-1);
  return ok({
    clients: page,
    nextPageToken: rest.length > pageSize && last ? encodePageToken(TOKEN_KIND, [String(last.connectedAt), last.clientId]) : '',
    totalCount: matching.length,
  });
};

type Cursor = Pick<ConnectedClient, 'connectedAt' | 'clientId'>;

const byConnection = (a: Cursor, b: Cursor): number =>
  a.connectedAt - b.connectedAt || (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0);

const decodeCursor = (token: string): Cursor | undefined => {
  const parts = decodePageToken(TOKEN_KIND, token);
  if (parts?.length !== 2) return undefined;
  const [at, clientId] = parts as [string, string];
  return /^\d+$/.test(at) ? { connectedAt: Number(at), clientId } : undefined;
};
