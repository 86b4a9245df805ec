import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../core/messaging/events.js';
import { InMemoryEventBus } from '../memory/in-memory-event-bus.js';
import { DeduplicatingEventBus } from './deduplicating-event-bus.js';

const settle = async (bus: DeduplicatingEventBus, seen: () => number, count: number) => {
  const deadline = Date.now() + 5_000;
  while (seen() < count) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // Anything published before the marker has been delivered once the marker is.
  const marker: DomainEvent = { type: 'marker', timestamp: 1 };
  let arrived = false;
  const subscription = await bus.subscribe('marker', () => void (arrived = true));
  await bus.publish('marker', marker);
  while (!arrived) await new Promise((resolve) => setTimeout(resolve, 5));
  await subscription.unsubscribe();
};

describe('DeduplicatingEventBus', () => {
  it('delivers an event_id once per subscription, and events without one every time', async () => {
    const bus = new DeduplicatingEventBus(new InMemoryEventBus());
    const first: string[] = [];
    const second: string[] = [];
    await bus.subscribe('c', (event) => void first.push(event.type));
    await bus.subscribePattern('c*', (event) => void second.push(event.type));

    await bus.publish('c', { type: 'a', timestamp: 1, event_id: 'id-a' });
    await bus.publish('c', { type: 'a again', timestamp: 1, event_id: 'id-a' });
    await bus.publish('c', { type: 'b', timestamp: 1, event_id: 'id-b' });
    await bus.publish('c', { type: 'plain', timestamp: 1 });
    await bus.publish('c', { type: 'plain', timestamp: 1 });
    await settle(bus, () => first.length, 4);

    expect(first).toEqual(['a', 'b', 'plain', 'plain']);
    expect(second).toEqual(['a', 'b', 'plain', 'plain']);
  });

  it('forgets the oldest ids past its capacity', async () => {
    const bus = new DeduplicatingEventBus(new InMemoryEventBus(), 2);
    const received: string[] = [];
    await bus.subscribe('c', (event) => void received.push(event.type));

    for (const id of ['1', '2', '3', '1']) await bus.publish('c', { type: id, timestamp: 1, event_id: id });
    await settle(bus, () => received.length, 4);

    expect(received).toEqual(['1', '2', '3', '1']);
  });
});
