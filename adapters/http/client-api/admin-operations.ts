import {
  assignRolesRoute,
  listAnnouncementsRoute,
  listAuditLogRoute,
  listUsersRoute,
  publishAnnouncementRoute,
  userActivationRoute,
} from './admin-api.js';
import { jsonAnswer, type OperationDoc } from './operation-doc.js';

/** The API reference of administration and announcements (docs/adr/0054, 0056): the gateway serves them over `auth.AuthService`. */

const ADMIN_ONLY = 'You are not an active administrator (`admin_required`): auth decides, from its own records.';
const NO_USER = 'No user with this id (`user_not_found`).';
const BAD_PAGE = 'A `page_token` this listing did not issue (`invalid_input`).';

export const adminOperations: readonly OperationDoc[] = [
  {
    method: 'GET',
    path: '/admin/users',
    tag: 'admin',
    summary: 'List every account, oldest first',
    access: 'user',
    route: listUsersRoute,
    answers: {
      200: jsonAnswer('`ListUsersResponse`: `users` (`user_id`, `email`, `name`, `roles`, `is_active`, times), `next_page_token`.'),
    },
    refusals: { 400: BAD_PAGE, 403: ADMIN_ONLY },
  },
  {
    method: 'PUT',
    path: '/admin/users/:id/roles',
    tag: 'admin',
    summary: 'Set a user’s roles (assign and revoke in one)',
    description: 'Audited; every gateway re-reads the user’s sessions.',
    access: 'user',
    route: assignRolesRoute,
    answers: { 200: jsonAnswer('`AssignRolesResponse`: the `user` with the new roles.') },
    refusals: {
      403: ADMIN_ONLY,
      404: NO_USER,
      409: 'Taking your own admin role (`self_lockout`), or a concurrent change (`concurrent_update`).',
    },
  },
  {
    method: 'POST',
    path: '/admin/users/:id/deactivate',
    tag: 'admin',
    summary: 'Deactivate a user, ending every session at once',
    description: 'Their tokens are refused on every gateway from the next request on and their sockets close (4401). Audited.',
    access: 'user',
    route: userActivationRoute,
    answers: { 200: jsonAnswer('`SetUserActiveResponse`: the `user` and `sessions_revoked`.') },
    refusals: {
      403: ADMIN_ONLY,
      404: NO_USER,
      409: 'Deactivating yourself (`self_lockout`), or a concurrent change (`concurrent_update`).',
    },
  },
  {
    method: 'POST',
    path: '/admin/users/:id/reactivate',
    tag: 'admin',
    summary: 'Reactivate a deactivated user',
    access: 'user',
    route: userActivationRoute,
    answers: { 200: jsonAnswer('`SetUserActiveResponse`: the `user`.') },
    refusals: { 403: ADMIN_ONLY, 404: NO_USER, 409: 'A concurrent change (`concurrent_update`).' },
  },
  {
    method: 'POST',
    path: '/admin/announcements',
    tag: 'admin',
    summary: 'Announce something to every connected client',
    description:
      'On `system:announcements`: every `/events` socket of every gateway receives it. A `maintenance` window (`ends_at` required, ' +
      '`starts_at` default now) makes `POST /simulations` answer 503 until it ends.',
    access: 'user',
    route: publishAnnouncementRoute,
    answers: { 201: jsonAnswer('`PublishAnnouncementResponse`: the `announcement` as stored.') },
    refusals: { 400: 'An `ends_at` in the past or more than a year ahead (`invalid_input`).', 403: ADMIN_ONLY },
  },
  {
    method: 'GET',
    path: '/admin/audit',
    tag: 'admin',
    summary: 'Read the audit log, newest first',
    description: 'Who (a user id, or `command-line`) did what, when, to whom.',
    access: 'user',
    route: listAuditLogRoute,
    answers: {
      200: jsonAnswer(
        '`ListAuditLogResponse`: `entries` (`entry_id`, `at`, `actor_id`, `action`, `target_user_id`, `detail`), `next_page_token`.',
      ),
    },
    refusals: { 400: BAD_PAGE, 403: ADMIN_ONLY },
  },
  {
    method: 'GET',
    path: '/announcements',
    tag: 'admin',
    summary: 'The announcements not over yet',
    access: 'user',
    route: listAnnouncementsRoute,
    answers: { 200: jsonAnswer('`ListAnnouncementsResponse`: `announcements`, newest first.') },
  },
];
