import { describe, it, expect } from 'vitest';
import { pino } from 'pino';
import type { DomainEvent } from '../../core/messaging/events.js';
import { InMemoryEventBus } from './in-memory-event-bus.js';

const event = (type: string): DomainEvent => ({ type, timestamp: 1 });

const waitFor = async (predicate: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** A logger whose JSON lines the test can read. */
const capturingLogger = () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
};

describe('InMemoryEventBus', () => {
  it('never runs a handler inside publish', async () => {
    const bus = new InMemoryEventBus();
    const received: string[] = [];
    await bus.subscribe('c', (delivered) => {
      received.push(delivered.type);
    });

    const publishing = bus.publish('c', event('later'));
    expect(received).toEqual([]);
    await publishing;

    await waitFor(() => received.length === 1);
    expect(received).toEqual(['later']);
  });

  it('does not re-enter a handler that publishes to its own channel', async () => {
    const bus = new InMemoryEventBus();
    let depth = 0;
    let deepest = 0;
    let calls = 0;
    await bus.subscribe('echo', async (delivered) => {
      depth += 1;
      deepest = Math.max(deepest, depth);
      calls += 1;
      if (calls < 5) await bus.publish('echo', event(`${delivered.type}+`));
      depth -= 1;
    });

    await bus.publish('echo', event('e'));

    await waitFor(() => calls === 5);
    expect(deepest).toBe(1);
  });

  it('logs a failing handler with its channel and subscription', async () => {
    const { logger, lines } = capturingLogger();
    const bus = new InMemoryEventBus(logger);
    await bus.subscribePattern('orders:*', () => {
      throw new Error('boom');
    });

    await bus.publish('orders:placed', event('placed'));

    await waitFor(() => lines.length === 1);
    expect(lines[0]).toMatchObject({
      channel: 'orders:placed',
      subscription: 'pattern orders:*',
      eventType: 'placed',
      err: { message: 'boom' },
    });
  });

  it('does not deliver an event already published to a handler unsubscribed before delivery', async () => {
    const bus = new InMemoryEventBus();
    const received: string[] = [];
    const subscription = await bus.subscribe('c', (delivered) => {
      received.push(delivered.type);
    });
    const witness: string[] = [];
    await bus.subscribe('c', (delivered) => {
      witness.push(delivered.type);
    });

    const publishing = bus.publish('c', event('in-flight'));
    await subscription.unsubscribe();
    await publishing;

    await waitFor(() => witness.length === 1);
    expect(received).toEqual([]);
  });

  it('rejects an event that is not a JSON object', async () => {
    const bus = new InMemoryEventBus();

    await expect(bus.publish('c', null as unknown as DomainEvent)).rejects.toThrow(/JSON object/);
    await expect(bus.publish('c', [] as unknown as DomainEvent)).rejects.toThrow(/JSON object/);
  });

  it('names the channel when an event is not JSON-serialisable', async () => {
    const bus = new InMemoryEventBus();

    await expect(bus.publish('billing:events', { type: 't', timestamp: 1, amount: 1n })).rejects.toThrow(
      /billing:events is not JSON-serialisable/,
    );
  });
});
