import type { Job } from '../messaging/work-queue.js';
import type { ClientRegistry } from './client-registry.js';
import { deliver, type DeliveryReport } from './delivery.js';
import { notifyMessage } from './messages.js';
import { Topics } from './topics.js';

/** Job type of `async:notifications:queue` that the gateway delivers. */
export const NOTIFY_JOB = 'notify';

/** The pub/sub patterns the gateway follows, as the specification lists them (docs/specification.md#subscriptions). */
export const GATEWAY_EVENT_PATTERNS = [
  'auth:events:*',
  'project:events:*',
  'simulation:events:*',
  'simulation:data:*',
  'notifications:user:*',
  'system:*',
] as const;

export type NotifyOutcome = DeliveryReport | 'ignored';

/**
 * Delivers a `notify` job (`{user_id, notification}`) to the user's sockets on this instance.
 * Every instance sees every job (one pool per instance); a job enqueued before `since` (the
 * instance's start, less clock skew) is old news for sockets that did not exist then, and is ignored,
 * as are jobs of other types or without a user.
 */
export const deliverNotifyJob = (registry: ClientRegistry, job: Job, since: number): NotifyOutcome => {
  const userId = job.payload['user_id'];
  if (job.type !== NOTIFY_JOB || typeof userId !== 'string' || userId === '' || job.enqueuedAt < since) return 'ignored';
  return deliver(
    registry.subscribedTo(Topics.userInbox(userId)),
    [notifyMessage(userId, job.payload['notification'] ?? null)],
    'essential',
  );
};
