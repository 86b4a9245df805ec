import { EventChannels } from '../messaging/channels.js';
import type { DomainEvent } from '../messaging/events.js';
import type { ClientRegistry } from './client-registry.js';
import { deliver, type DeliveryReport } from './delivery.js';
import { audienceOf, type Audience } from './event-audience.js';
import { eventMessage, publishedNotificationMessage } from './messages.js';
import type { ReadAccessCache } from './read-access-cache.js';
import type { SimulationFeeds } from './simulation-feeds.js';
import { Topics } from './topics.js';

export interface EventRouterDeps {
  readonly registry: ClientRegistry;
  readonly access: ReadAccessCache;
  readonly simulations: SimulationFeeds;
}

export interface EventRouter {
  /** Delivers one pub/sub event to the local sockets that may see it, and acts on what it means for them. */
  route(channel: string, event: DomainEvent): Promise<DeliveryReport>;
}

const NOBODY: DeliveryReport = { delivered: false, clientCount: 0 };

const stringField = (event: DomainEvent, field: string): string | undefined => {
  const value = event[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

export const createEventRouter = ({ registry, access, simulations }: EventRouterDeps): EventRouter => {
  const toAudience = async (audience: Audience, channel: string, event: DomainEvent): Promise<DeliveryReport> => {
    switch (audience.kind) {
      case 'everyone':
        return deliver(registry.subscribedTo(Topics.events), [eventMessage(channel, event)], 'essential');
      case 'inbox':
        return deliver(
          registry.subscribedTo(Topics.userInbox(audience.userId)),
          [publishedNotificationMessage(channel, event)],
          'essential',
        );
      case 'watchers':
        simulations.relay(audience.simulationId, event);
        return NOBODY;
      case 'users': {
        const named = new Set(audience.users);
        const readersOf = audience.readersOf;
        const candidates = registry.usersSubscribedTo(Topics.events);
        const allowed = await Promise.all(
          candidates.map(async (user) => named.has(user) || (readersOf !== undefined && (await access.canRead(readersOf, user)))),
        );
        const users = new Set(candidates.filter((_, index) => allowed[index]));
        const targets = registry.subscribedTo(Topics.events).filter(({ client }) => users.has(client.userId));
        return deliver(targets, [eventMessage(channel, event)], 'essential');
      }
      case 'nobody':
        return NOBODY;
    }
  };

  return {
    route: async (channel, event) => {
      const projectId = stringField(event, 'project_id');
      const userId = stringField(event, 'user_id');
      // What a share or a modification changes is forgotten first, so the event itself is routed by the new access.
      if (channel === EventChannels.projectShared && projectId) access.forgetProject(projectId, stringField(event, 'target_user_id'));
      if (channel === EventChannels.projectUpdated && projectId && event['change'] !== 'deleted') access.forgetProject(projectId);
      if (channel === EventChannels.authPermissionChanged && userId) access.forgetUser(userId);

      const report = await toAudience(audienceOf(channel, event), channel, event);

      // A deleted project is routed by what was known of its readers; afterwards nobody can read it.
      if (channel === EventChannels.projectUpdated && projectId && event['change'] === 'deleted') access.forgetProject(projectId);
      const sessionId = stringField(event, 'session_id');
      if (channel === EventChannels.authLogout && sessionId) {
        for (const { connection } of registry.ofSession(sessionId)) connection?.close('unauthenticated', 'session logged out');
      } else if (channel === EventChannels.authLogout && userId) {
        // Every session of the user ended at once (a deactivated account, docs/adr/0054).
        for (const { connection } of registry.ofUser(userId)) connection?.close('unauthenticated', 'account deactivated');
      }
      const simulationId = stringField(event, 'simulation_id');
      if (channel === EventChannels.simulationCompleted && simulationId) {
        await simulations.complete(simulationId, stringField(event, 'status') ?? 'completed');
      }
      return report;
    },
  };
};
