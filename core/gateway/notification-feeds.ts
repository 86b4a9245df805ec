import { Streams } from '../messaging/channels.js';
import type { StreamEntry } from '../messaging/streams.js';
import type { ClientRegistry } from './client-registry.js';
import { deliver } from './delivery.js';
import { notificationMessage } from './messages.js';
import type { StreamFanOut } from './stream-fan-out.js';
import { Topics } from './topics.js';

interface Followed {
  readonly clients: Set<string>;
  readonly unfollow: () => void;
}

/**
 * Each user's `notifications:stream:{user_id}` while the user has an `/events` socket on this
 * instance: one reader per user (not per socket), from `$`, delivering to all the user's sockets.
 */
export class NotificationFeeds {
  private readonly followed = new Map<string, Followed>();

  constructor(
    private readonly registry: ClientRegistry,
    private readonly fanOut: StreamFanOut,
  ) {}

  /** Users whose notification stream is read now. */
  get users(): readonly string[] {
    return [...this.followed.keys()];
  }

  join(userId: string, clientId: string): void {
    const current = this.followed.get(userId);
    if (current) {
      current.clients.add(clientId);
      return;
    }
    const unfollow = this.fanOut.follow(Streams.notifications(userId), {
      onEntries: (entries) => this.broadcast(userId, entries),
    });
    this.followed.set(userId, { clients: new Set([clientId]), unfollow });
  }

  leave(userId: string, clientId: string): void {
    const followed = this.followed.get(userId);
    if (!followed?.clients.delete(clientId) || followed.clients.size > 0) return;
    this.followed.delete(userId);
    followed.unfollow();
  }

  private broadcast(userId: string, entries: readonly StreamEntry[]): void {
    const messages = entries.map((entry) => notificationMessage(entry.id, entry.fields));
    deliver(this.registry.subscribedTo(Topics.userInbox(userId)), messages, 'essential');
  }
}
