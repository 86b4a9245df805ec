import type { EventHandler } from '../../core/messaging/events.js';

/** How a name is subscribed in Redis: SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE. */
export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

/** One `subscribe` call: its own object, so the same handler subscribed twice counts twice. */
export interface Registration {
  readonly kind: SubscriptionKind;
  readonly name: string;
  readonly handler: EventHandler;
}

/**
 * The local handlers of each Redis subscription. Many handlers of one channel share one Redis
 * subscription; the registry says when the first arrives and the last leaves.
 */
export class SubscriptionRegistry {
  // Arrays rather than Sets: most channels have one handler, and an array of one costs a fraction
  // of a Set's table (bench `memory`: heap per subscribed channel).
  private readonly byKey = new Map<string, Registration[]>();

  add(kind: SubscriptionKind, name: string, handler: EventHandler): Registration {
    const registration: Registration = { kind, name, handler };
    const key = keyOf(kind, name);
    const registrations = this.byKey.get(key);
    if (registrations) registrations.push(registration);
    else this.byKey.set(key, [registration]);
    return registration;
  }

  /** Removes one registration; false when it was already gone. */
  remove(registration: Registration): boolean {
    const key = keyOf(registration.kind, registration.name);
    const registrations = this.byKey.get(key);
    const index = registrations?.indexOf(registration) ?? -1;
    if (index < 0) return false;
    registrations!.splice(index, 1);
    if (registrations!.length === 0) this.byKey.delete(key);
    return true;
  }

  /** The handlers at this moment, in subscription order. */
  handlers(kind: SubscriptionKind, name: string): EventHandler[] {
    return (this.byKey.get(keyOf(kind, name)) ?? []).map((r) => r.handler);
  }

  has(kind: SubscriptionKind, name: string): boolean {
    return this.byKey.has(keyOf(kind, name));
  }

  clear(): void {
    this.byKey.clear();
  }
}

const keyOf = (kind: SubscriptionKind, name: string): string => `${kind}\u0000${name}`;
