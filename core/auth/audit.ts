import { encodePageToken, decodePageToken } from '../shared/page-token.js';
import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure } from '../shared/errors.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import type { AuditAction, AuditEntry, User } from './model.js';
import type { Permission } from './permissions.js';
import { permissionsFor } from './permissions.js';

/** An audit entry of `action` by `actorId` at `at`, about `target` when there is one. */
export const auditEntry = (
  deps: Pick<AuthDeps, 'ids'>,
  at: number,
  actorId: string,
  action: AuditAction,
  target: Pick<User, 'id'> | null,
  detail: Readonly<Record<string, string>>,
): AuditEntry => ({ id: deps.ids.next(), at, actorId, action, targetUserId: target?.id ?? null, detail });

/**
 * The acting administrator, checked in auth whatever the caller checked before (docs/adr/0054): an
 * active user holding `permission`. Anyone else, unknown ids included, gets `admin_required`.
 */
export const authorizeAdmin = async (
  deps: Pick<AuthDeps, 'users'>,
  actorId: string,
  permission: Permission,
): Promise<Result<User, DomainFailure>> => {
  const actor = typeof actorId === 'string' && actorId !== '' ? await deps.users.findById(actorId) : undefined;
  if (!actor || !actor.isActive || !permissionsFor(actor.roles).includes(permission)) return err(AuthFailures.adminRequired());
  return ok(actor);
};

export const PageSize = { default: 50, max: 100 } as const;

/** A page size within 1..100 (0 or absent: the default), or the violation. */
export const pageSizeOf = (pageSize: number | undefined): Result<number, DomainFailure> => {
  const size = pageSize === undefined || pageSize === 0 ? PageSize.default : pageSize;
  return Number.isInteger(size) && size >= 1 && size <= PageSize.max
    ? ok(size)
    : err(AuthFailures.invalidInput([{ field: 'page_size', message: `must be from 1 to ${PageSize.max}` }]));
};

/** The cursor a page token of `kind` holds (a time and an id); undefined for none; a failure for a token not ours. */
export const cursorOf = (kind: string, token: string | undefined): Result<{ at: number; id: string } | undefined, DomainFailure> => {
  if (token === undefined || token === '') return ok(undefined);
  const [at, id] = decodePageToken(kind, token) ?? [];
  const time = Number(at);
  return id !== undefined && Number.isSafeInteger(time)
    ? ok({ at: time, id })
    : err(AuthFailures.invalidInput([{ field: 'page_token', message: 'is not a token this listing issued' }]));
};

export const pageTokenOf = (kind: string, cursor: { readonly at: number; readonly id: string } | undefined): string =>
  cursor === undefined ? '' : encodePageToken(kind, [String(cursor.at), cursor.id]);

export interface ListAuditLogInput {
  readonly actorId: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
}

/** The audit log, newest first, for an administrator holding `admin:audit`. */
export const listAuditLog = async (
  deps: Pick<AuthDeps, 'users' | 'audit'>,
  input: ListAuditLogInput,
): Promise<Result<AuditPage, DomainFailure>> => {
  const actor = await authorizeAdmin(deps, input.actorId, 'admin:audit');
  if (!actor.ok) return actor;
  const size = pageSizeOf(input.pageSize);
  if (!size.ok) return size;
  const after = cursorOf('audit', input.pageToken);
  if (!after.ok) return after;
  const page = await deps.audit.list({ limit: size.value, ...(after.value && { after: after.value }) });
  return ok({ entries: page.items, nextPageToken: pageTokenOf('audit', page.next) });
};
