import { AnnouncementKinds, Roles } from '../../../core/auth/model.js';
import { AnnouncementLimits } from '../../../core/auth/announcements.js';
import {
  bodyOf,
  EPOCH_MS_MAX,
  idParams,
  integerSchema,
  optionalBodyOf,
  PAGE_SIZE,
  pageTokenSchema,
  queryIntegerSchema,
  queryOf,
  textSchema,
  type PageQuery,
  type QueryTypes,
} from './common.js';

/**
 * Administration as the client API takes it (docs/adr/0054): served by the gateway only, over
 * `auth.AuthService`'s administration rpcs; auth checks the caller is an administrator. Field names
 * are the rpcs' message fields.
 */

const pageQuery = {
  schema: { querystring: queryOf({ page_size: queryIntegerSchema, page_token: pageTokenSchema }) },
  query: { integers: { page_size: PAGE_SIZE } } satisfies QueryTypes,
} as const;

export type AdminPageQuery = PageQuery;

export const listUsersRoute = pageQuery;
export const listAuditLogRoute = pageQuery;

export interface AssignRolesBody {
  readonly roles: readonly string[];
}

export const assignRolesRoute = {
  schema: {
    params: idParams,
    body: bodyOf(
      { roles: { type: 'array', minItems: 1, maxItems: Roles.length, uniqueItems: true, items: { type: 'string', enum: Roles } } },
      ['roles'],
    ),
  },
} as const;

/** Deactivating or reactivating takes no options: an empty body or none. */
export const userActivationRoute = { schema: { params: idParams, body: optionalBodyOf({}) } } as const;

export interface AnnouncementBody {
  readonly kind: 'info' | 'maintenance';
  readonly message: string;
  readonly starts_at?: number;
  readonly ends_at?: number;
}

export const publishAnnouncementRoute = {
  schema: {
    body: {
      ...bodyOf(
        {
          kind: { type: 'string', enum: AnnouncementKinds },
          message: { ...textSchema(AnnouncementLimits.messageMax), minLength: 1 },
          starts_at: integerSchema(0, EPOCH_MS_MAX),
          ends_at: integerSchema(0, EPOCH_MS_MAX),
        },
        ['kind', 'message'],
      ),
      allOf: [{ if: { properties: { kind: { const: 'maintenance' } } }, then: { required: ['ends_at'] } }],
    },
  },
} as const;

/** The announcements not over yet: no parameters. */
export const listAnnouncementsRoute = { schema: { querystring: queryOf({}) } } as const;
