import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { DomainEvent, EventBus, EventHandler } from '../../core/messaging/events.js';
import { uniqueName } from './unique-name.js';
import { waitFor } from './wait.js';

export interface EventBusFixture {
  /** Publishes the events. May be the same object as `subscriber` (in-memory) or another connection (Redis). */
  publisher: EventBus;
  subscriber: EventBus;
  close(): Promise<void>;
  /** Cuts the subscriber's transport (it reconnects by itself); absent for a bus with no transport to lose. */
  interruptDelivery?(): Promise<void>;
}

interface Recorder {
  readonly handler: EventHandler;
  readonly received: { channel: string; event: DomainEvent }[];
  readonly types: () => string[];
}

const record = (): Recorder => {
  const received: { channel: string; event: DomainEvent }[] = [];
  return {
    handler: (event, channel) => {
      received.push({ channel, event });
    },
    received,
    types: () => received.map(({ event }) => event.type),
  };
};

const event = (type: string, fields: Record<string, unknown> = {}): DomainEvent => ({ type, timestamp: Date.now(), ...fields });

/** Every EventBus adapter runs this suite (STYLE.md 14). Channel names are unique per test. */
export function describeEventBusContract(adapterName: string, createFixture: () => Promise<EventBusFixture>): void {
  describe(`EventBus contract: ${adapterName}`, () => {
    let fixture: EventBusFixture;
    let channel: string;

    beforeEach(async () => {
      fixture = await createFixture();
      channel = uniqueName('bus');
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('delivers an event published after subscribe resolves, with its channel', async () => {
      const subscriber = record();
      await fixture.subscriber.subscribe(channel, subscriber.handler);

      await fixture.publisher.publish(channel, event('login', { userId: 'u-1' }));

      await waitFor(() => subscriber.received.length === 1, 5_000, 'the event');
      expect(subscriber.received[0]!.channel).toBe(channel);
      expect(subscriber.received[0]!.event).toMatchObject({ type: 'login', userId: 'u-1' });
    });

    it('does not deliver events of other channels', async () => {
      const subscriber = record();
      const otherSubscriber = record();
      await fixture.subscriber.subscribe(channel, subscriber.handler);
      await fixture.subscriber.subscribe(`${channel}:other`, otherSubscriber.handler);

      await fixture.publisher.publish(`${channel}:other`, event('elsewhere'));
      await waitFor(() => otherSubscriber.received.length === 1, 5_000, 'the other channel event');
      await fixture.publisher.publish(channel, event('here'));
      await waitFor(() => subscriber.received.length === 1, 5_000, 'the event');

      expect(subscriber.types()).toEqual(['here']);
    });

    it('does not replay events published before the subscription', async () => {
      // In a Redis Cluster a PUBLISH reaches other nodes over the cluster bus a little later; wait
      // until the event has reached the subscriber's side (an earlier handler saw it) before subscribing.
      const earlier = record();
      await fixture.subscriber.subscribe(channel, earlier.handler);
      await fixture.publisher.publish(channel, event('too-early'));
      await waitFor(() => earlier.received.length === 1, 5_000, 'the early event to arrive');
      const subscriber = record();
      await fixture.subscriber.subscribe(channel, subscriber.handler);

      await fixture.publisher.publish(channel, event('in-time'));

      await waitFor(() => subscriber.received.length >= 1, 5_000, 'the event');
      expect(subscriber.types()).toEqual(['in-time']);
    });

    it('stops delivery to a handler after unsubscribe, and unsubscribing twice is harmless', async () => {
      const leaving = record();
      const staying = record();
      const subscription = await fixture.subscriber.subscribe(channel, leaving.handler);
      await fixture.subscriber.subscribe(channel, staying.handler);
      await fixture.publisher.publish(channel, event('first'));
      await waitFor(() => leaving.received.length === 1 && staying.received.length === 1, 5_000, 'the first event');

      await subscription.unsubscribe();
      await subscription.unsubscribe();
      await fixture.publisher.publish(channel, event('second'));

      await waitFor(() => staying.received.length === 2, 5_000, 'the second event');
      expect(leaving.types()).toEqual(['first']);
      expect(staying.types()).toEqual(['first', 'second']);
    });

    it('delivers the events of one publisher on one channel in publish order', async () => {
      const subscriber = record();
      await fixture.subscriber.subscribe(channel, subscriber.handler);
      const types = Array.from({ length: 100 }, (_, index) => `event-${index}`);

      for (const type of types) await fixture.publisher.publish(channel, event(type));

      await waitFor(() => subscriber.received.length === types.length, 10_000, 'all events');
      expect(subscriber.types()).toEqual(types);
    });

    it('keeps call order for publishes issued without awaiting each one', async () => {
      const subscriber = record();
      await fixture.subscriber.subscribe(channel, subscriber.handler);
      const types = Array.from({ length: 50 }, (_, index) => `event-${index}`);

      await Promise.all(types.map((type) => fixture.publisher.publish(channel, event(type))));

      await waitFor(() => subscriber.received.length === types.length, 10_000, 'all events');
      expect(subscriber.types()).toEqual(types);
    });

    it('gives each subscription exactly one copy of each event', async () => {
      const first = record();
      const second = record();
      const byPattern = record();
      await fixture.subscriber.subscribe(channel, first.handler);
      await fixture.subscriber.subscribe(channel, second.handler);
      await fixture.subscriber.subscribePattern(`${channel}*`, byPattern.handler);

      await fixture.publisher.publish(channel, event('one'));
      await fixture.publisher.publish(channel, event('two'));

      const all = [first, second, byPattern];
      await waitFor(() => all.every((subscriber) => subscriber.received.length >= 2), 5_000, 'both events everywhere');
      for (const subscriber of all) expect(subscriber.types()).toEqual(['one', 'two']);
    });

    it('delivers to a pattern subscriber with the channel the event was published on', async () => {
      const subscriber = record();
      await fixture.subscriber.subscribePattern(`${channel}:events:*`, subscriber.handler);

      await fixture.publisher.publish(`${channel}:events:login`, event('login'));
      await fixture.publisher.publish(`${channel}:events:logout`, event('logout'));

      await waitFor(() => subscriber.received.length === 2, 5_000, 'both events');
      // Order holds per channel only: in a Redis Cluster two channels' events may arrive either way round.
      const byChannel = Object.fromEntries(subscriber.received.map((delivery) => [delivery.channel, delivery.event.type]));
      expect(byChannel).toEqual({ [`${channel}:events:login`]: 'login', [`${channel}:events:logout`]: 'logout' });
    });

    it.each([
      ['* matches any run', ':events:*', ':events:login', ':audit:login'],
      ['? matches one character', ':user:?', ':user:7', ':user:42'],
      ['[abc] matches one of a set', ':shard:[abc]', ':shard:b', ':shard:d'],
      ['[^a] matches one character not in the set', ':shard:[^a]', ':shard:b', ':shard:a'],
      ['[a-c] matches a range', ':shard:[a-c]', ':shard:c', ':shard:x'],
      ['\\ escapes a special character', ':literal:\\*', ':literal:*', ':literal:x'],
    ])('follows glob semantics: %s', async (_feature, pattern, matching, notMatching) => {
      const subscriber = record();
      const witness = record();
      await fixture.subscriber.subscribePattern(channel + pattern, subscriber.handler);
      await fixture.subscriber.subscribe(channel + notMatching, witness.handler);

      await fixture.publisher.publish(channel + notMatching, event('not-matching'));
      await waitFor(() => witness.received.length === 1, 5_000, 'the non-matching event to be delivered somewhere');
      await fixture.publisher.publish(channel + matching, event('matching'));
      await waitFor(() => subscriber.received.length >= 1, 5_000, 'the matching event');

      expect(subscriber.received.map((delivery) => delivery.channel)).toEqual([channel + matching]);
    });

    it('stops pattern delivery after unsubscribe', async () => {
      const leaving = record();
      const staying = record();
      const subscription = await fixture.subscriber.subscribePattern(`${channel}:*`, leaving.handler);
      await fixture.subscriber.subscribe(`${channel}:x`, staying.handler);

      await subscription.unsubscribe();
      await fixture.publisher.publish(`${channel}:x`, event('after'));

      await waitFor(() => staying.received.length === 1, 5_000, 'the event');
      expect(leaving.received).toEqual([]);
    });

    it('keeps delivering to every handler when one throws or rejects', async () => {
      let throwingCalls = 0;
      let rejectingCalls = 0;
      const healthy = record();
      await fixture.subscriber.subscribe(channel, () => {
        throwingCalls += 1;
        throw new Error('handler bug');
      });
      await fixture.subscriber.subscribe(channel, async () => {
        rejectingCalls += 1;
        throw new Error('async handler bug');
      });
      await fixture.subscriber.subscribe(channel, healthy.handler);

      await fixture.publisher.publish(channel, event('one'));
      await fixture.publisher.publish(channel, event('two'));

      await waitFor(() => healthy.received.length === 2 && throwingCalls === 2 && rejectingCalls === 2, 5_000, 'both events everywhere');
      expect(healthy.types()).toEqual(['one', 'two']);
    });

    it('carries nested JSON and unicode unchanged', async () => {
      const subscriber = record();
      await fixture.subscriber.subscribe(channel, subscriber.handler);
      const published = event('nested', {
        user: { id: 'u-1', roles: ['admin', 'viewer'], name: 'Zoë 山田 🚀', bio: 'line1\nline2 "quoted" \\ back' },
        counts: [1, 2.5, -3, 0],
        flags: { on: true, off: false, none: null },
        empty: {},
        emptyList: [],
      });

      await fixture.publisher.publish(channel, published);

      await waitFor(() => subscriber.received.length === 1, 5_000, 'the event');
      expect(subscriber.received[0]!.event).toEqual(published);
    });

    it('hands each subscriber its own copy, as over a wire', async () => {
      const received: DomainEvent[] = [];
      await fixture.subscriber.subscribe(channel, (delivered) => {
        (delivered.user as { name: string }).name = 'changed by a subscriber';
      });
      await fixture.subscriber.subscribe(channel, (delivered) => {
        received.push(delivered);
      });
      const published = event('copy', { user: { name: 'original' } });

      await fixture.publisher.publish(channel, published);

      await waitFor(() => received.length === 1, 5_000, 'the event');
      expect(received[0]!.user).toEqual({ name: 'original' });
      expect(published.user).toEqual({ name: 'original' });
    });

    it('rejects an event that JSON cannot carry', async () => {
      const circular: Record<string, unknown> = { type: 'circular', timestamp: Date.now() };
      circular.self = circular;

      await expect(fixture.publisher.publish(channel, circular as DomainEvent)).rejects.toThrow();
      await expect(fixture.publisher.publish(channel, event('bigint', { amount: 10n }))).rejects.toThrow();
    });

    it('tells a delivery watcher when delivery is lost and when it is restored with the subscriptions in place', async (context) => {
      const interrupt = fixture.interruptDelivery?.bind(fixture);
      if (!interrupt) return context.skip('this bus has no transport to lose');
      const recorder = record();
      await fixture.subscriber.subscribe(channel, recorder.handler);
      const told: string[] = [];
      const stop = fixture.subscriber.watchDelivery({ lost: () => told.push('lost'), restored: () => told.push('restored') });

      await interrupt();
      await waitFor(() => told.includes('restored'), 10_000, 'delivery restored');
      expect(told).toEqual(['lost', 'restored']);
      await fixture.publisher.publish(channel, event('after'));
      await waitFor(() => recorder.types().includes('after'), 5_000, 'the event published after the restore');

      stop();
      await interrupt();
      await fixture.publisher.publish(channel, event('probe'));
      await waitFor(
        async () => {
          await fixture.publisher.publish(channel, event('probe'));
          return recorder.types().includes('probe');
        },
        10_000,
        'delivery back after the second cut',
      );
      expect(told).toEqual(['lost', 'restored']);
    });
  });
}
