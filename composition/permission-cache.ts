import type { EventSubscriber, Subscription } from '../core/messaging/events.js';
import type { PermissionCache } from '../core/shared/permission-cache.js';
import type { Logger } from '../adapters/observability/logger.js';

/**
 * Keeps a service's permission cache in step with auth (docs/adr/0070): every `auth:events:*` event
 * evicts what it is about, and while the bus's delivery is lost (Redis away) the cache keeps nothing,
 * starting empty once it is back, since the events of the gap are never delivered.
 */
export const followAuthorityChanges = async (events: EventSubscriber, cache: PermissionCache, logger: Logger): Promise<Subscription> => {
  const unwatch = events.watchDelivery({
    lost: () => {
      cache.suspend();
      logger.warn('event bus lost: permission grants are asked of auth on every call until it is back');
    },
    restored: () => {
      cache.resume();
      logger.info('event bus back: permission grants are kept again, none from before');
    },
  });
  try {
    const subscription = await events.subscribePattern('auth:events:*', (event) => cache.apply(event));
    return {
      unsubscribe: async () => {
        unwatch();
        await subscription.unsubscribe();
      },
    };
  } catch (error) {
    unwatch();
    throw error;
  }
};
