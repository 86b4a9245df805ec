import { describe, expect, it } from 'vitest';
import { SubscriptionRegistry } from './subscription-registry.js';

describe('SubscriptionRegistry', () => {
  it('keeps the handlers of a name in subscription order, each kind apart', () => {
    const registry = new SubscriptionRegistry();
    const first = (): void => {};
    const second = (): void => {};
    registry.add('channel', 'news', first);
    registry.add('channel', 'news', second);
    registry.add('pattern', 'news', second);

    expect(registry.handlers('channel', 'news')).toEqual([first, second]);
    expect(registry.handlers('pattern', 'news')).toEqual([second]);
    expect(registry.handlers('shard', 'news')).toEqual([]);
  });

  it('counts the same handler subscribed twice as two subscriptions', () => {
    const registry = new SubscriptionRegistry();
    const handler = (): void => {};
    const one = registry.add('channel', 'news', handler);
    registry.add('channel', 'news', handler);

    expect(registry.handlers('channel', 'news')).toHaveLength(2);
    expect(registry.remove(one)).toBe(true);
    expect(registry.handlers('channel', 'news')).toEqual([handler]);
  });

  it('says when the last handler of a name has left, and removes a registration once', () => {
    const registry = new SubscriptionRegistry();
    const only = registry.add('shard', 'live:1', () => {});

    expect(registry.has('shard', 'live:1')).toBe(true);
    expect(registry.remove(only)).toBe(true);
    expect(registry.remove(only)).toBe(false);
    expect(registry.has('shard', 'live:1')).toBe(false);
  });
});
