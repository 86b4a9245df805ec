import type { FastifyInstance } from 'fastify';
import { readQuery, type IdParams } from '../client-api/common.js';
import {
  assignRolesRoute,
  listAnnouncementsRoute,
  listAuditLogRoute,
  listUsersRoute,
  publishAnnouncementRoute,
  userActivationRoute,
  type AdminPageQuery,
  type AnnouncementBody,
  type AssignRolesBody,
} from '../client-api/admin-api.js';
import { unwrap } from '../unwrap.js';
import type { CallerCheck } from './caller.js';
import type { AdminBackend } from './client-api-ports.js';

export interface AdminRouteHooks {
  /**
   * A deactivation this gateway passed on succeeded: it forgets the user's sessions and closes their
   * sockets here at once, before the client can send another request; auth's event does it on every other gateway.
   */
  readonly userDeactivated: (userId: string) => void;
}

/**
 * Administration (docs/adr/0054) under `/admin`, and the current announcements for every signed-in
 * user: `auth.AuthService` over gRPC. Any signed-in user reaches the routes; auth refuses whoever
 * is not an administrator (403 admin_required), so the decision is made where the roles are.
 */
export const registerAdminRoutes = (app: FastifyInstance, caller: CallerCheck, admin: AdminBackend, hooks: AdminRouteHooks): void => {
  app.get('/admin/users', { schema: listUsersRoute.schema }, async (request, reply) =>
    unwrap(await admin.listUsers(await caller.call(request, reply), readQuery<AdminPageQuery>(request, listUsersRoute.query))),
  );

  app.put<{ Params: IdParams; Body: AssignRolesBody }>(
    '/admin/users/:id/roles',
    { schema: assignRolesRoute.schema },
    async (request, reply) => unwrap(await admin.assignRoles(await caller.call(request, reply), request.params.id, request.body)),
  );

  app.post<{ Params: IdParams }>('/admin/users/:id/deactivate', { schema: userActivationRoute.schema }, async (request, reply) => {
    const answer = unwrap(await admin.setUserActive(await caller.call(request, reply), request.params.id, false));
    hooks.userDeactivated(request.params.id);
    return answer;
  });

  app.post<{ Params: IdParams }>('/admin/users/:id/reactivate', { schema: userActivationRoute.schema }, async (request, reply) =>
    unwrap(await admin.setUserActive(await caller.call(request, reply), request.params.id, true)),
  );

  app.post<{ Body: AnnouncementBody }>('/admin/announcements', { schema: publishAnnouncementRoute.schema }, async (request, reply) => {
    const answer = unwrap(await admin.publishAnnouncement(await caller.call(request, reply), request.body));
    return reply.code(201).send(answer);
  });

  app.get('/admin/audit', { schema: listAuditLogRoute.schema }, async (request, reply) =>
    unwrap(await admin.auditLog(await caller.call(request, reply), readQuery<AdminPageQuery>(request, listAuditLogRoute.query))),
  );

  app.get('/announcements', { schema: listAnnouncementsRoute.schema }, async (request, reply) =>
    unwrap(await admin.announcements(await caller.call(request, reply))),
  );
};
