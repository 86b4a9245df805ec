import type { AuthService } from './service.js';
import { EventChannels } from '../messaging/channels.js';
import type { DomainEvent, EventSubscriber, Subscription } from '../messaging/events.js';
import type { DomainFailure } from '../shared/errors.js';
import type { Result } from '../shared/result.js';
import type { Log } from '../shared/log.js';

type GrantChanges = Pick<AuthService, 'grantResourceAccess' | 'revokeResourceAccess'>;

/**
 * Keeps the auth service's resource grants in step with the projects, from the project events:
 * `created` grants the owner `owner`, `shared` grants the target the shared role (a new role
 * replaces the old), and `updated` with `change: 'deleted'` revokes the grant of the user who
 * deleted it (the owner). Events come at most once, so a grant can be missed while auth is away;
 * the project service decides project access itself, grants matter to checks with a resource id
 * (e.g. `simulation:start` on a project).
 *
 * Known gap: the shares' grants of a deleted project stay, since AuthService cannot list or revoke
 * a resource's grants; project ids are never reused, so they grant nothing that exists.
 */
export const subscribeProjectGrants = async (events: EventSubscriber, auth: GrantChanges, log: Log): Promise<Subscription> => {
  const apply = async (action: string, event: DomainEvent, change: Promise<Result<void, DomainFailure>>) => {
    const outcome = await change;
    if (!outcome.ok) log.warn({ event, code: outcome.error.code }, `project grant not ${action}: ${outcome.error.message}`);
  };
  const subscriptions = [
    await events.subscribe(EventChannels.projectCreated, (event) => {
      const projectId = text(event.project_id);
      const userId = text(event.user_id);
      if (!projectId || !userId) return log.warn({ event }, 'project created event without ids');
      return apply('granted', event, auth.grantResourceAccess({ userId, resourceId: projectId, role: 'owner' }));
    }),
    await events.subscribe(EventChannels.projectShared, (event) => {
      const projectId = text(event.project_id);
      const userId = text(event.target_user_id);
      const role = text(event.role);
      if (!projectId || !userId || !role) return log.warn({ event }, 'project shared event without ids or role');
      return apply('granted', event, auth.grantResourceAccess({ userId, resourceId: projectId, role }));
    }),
    await events.subscribe(EventChannels.projectUpdated, (event) => {
      if (event.change !== 'deleted') return undefined;
      const projectId = text(event.project_id);
      const userId = text(event.user_id);
      if (!projectId || !userId) return log.warn({ event }, 'project deleted event without ids');
      return apply('revoked', event, auth.revokeResourceAccess({ userId, resourceId: projectId }));
    }),
  ];
  return {
    unsubscribe: async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
    },
  };
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
