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
  /** Clients that resumed from a last entry id, each with its own tap (docs/adr/0051). */
  private readonly resuming = new Map<string, () => void>();

  constructor(
    private readonly registry: ClientRegistry,
    private readonly fanOut: StreamFanOut,
  ) {}

  /** Users whose notification stream is read now. */
  get users(): readonly string[] {
    return [...this.followed.keys()];
  }

  /** A registered client that saw the user's stream up to `after`: what the stream holds after it, then the live entries. */
  resume(userId: string, clientId: string, after: string): void {
    const unfollow = this.fanOut.follow(
      Streams.notifications(userId),
      {
        onEntries: (entries) => {
          const client = this.registry.subscribedTo(Topics.userInbox(userId)).filter((target) => target.client.clientId === clientId);
          deliver(
            client,
            entries.map((entry) => notificationMessage(entry.id, entry.fields)),
            'essential',
          );
        },
      },
      { after },
    );
    this.resuming.set(clientId, unfollow);
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
    const resumed = this.resuming.get(clientId);
    if (resumed) {
      this.resuming.delete(clientId);
      resumed();
      return;
    }
    const followed = this.followed.get(userId);
    if (!followed?.clients.delete(clientId) || followed.clients.size > 0) return;
    this.followed.delete(userId);
    followed.unfollow();
  }

  private broadcast(userId: string, entries: readonly StreamEntry[]): void {
    const messages = entries.map((entry) => notificationMessage(entry.id, entry.fields));
    deliver(this.registry.subscribedTo(Topics.userInbox(userId)), messages, 'essential', new Set(this.resuming.keys()));
  }
}
