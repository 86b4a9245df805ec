import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../contract-tests/messaging/wait.js';
import type { DomainEvent } from '../../../core/messaging/events.js';
import { InMemoryEventBus } from '../../memory/in-memory-event-bus.js';
import { InMemoryStreamStore } from '../../memory/in-memory-stream-store.js';
import { ManualClock } from '../../../test-support/core/manual-clock.js';
import { InstrumentedEventBus } from './instrumented-event-bus.js';
import { InstrumentedStreamStore } from './instrumented-stream-store.js';
import { MessagingMetrics } from './messaging-metrics.js';

const value = async (registry: Registry, name: string, labels: Record<string, string>, metricName = name): Promise<number> => {
  const metric = await registry.getSingleMetric(name)!.get();
  const values: readonly { metricName?: string; labels: Partial<Record<string, string | number>>; value: number }[] = metric.values;
  const sample = values.find(
    (v) => (v.metricName ?? name) === metricName && Object.entries(labels).every(([key, expected]) => v.labels[key] === expected),
  );
  return sample?.value ?? 0;
};

const event = (timestamp: number, extra: Record<string, unknown> = {}): DomainEvent => ({ type: 'login', timestamp, ...extra });

describe('the instrumented event bus', () => {
  let registry: Registry;
  let metrics: MessagingMetrics;
  let now: number;
  let bus: InstrumentedEventBus;

  beforeEach(() => {
    registry = new Registry();
    metrics = new MessagingMetrics(registry, new Set(['auth:events:login']));
    now = 1_000_000;
    bus = new InstrumentedEventBus(new InMemoryEventBus(), metrics, () => now);
  });

  it('counts a publish and its delivery, with the latency from the event timestamp', async () => {
    const seen: DomainEvent[] = [];
    await bus.subscribe('auth:events:login', (received) => void seen.push(received));
    now = 1_000_250;
    await bus.publish('auth:events:login', event(1_000_000));
    await waitFor(() => seen.length === 1);

    const labels = { family: 'auth:events:login', transport: 'pubsub' };
    expect(await value(registry, 'meshwork_messages_published_total', labels)).toBe(1);
    expect(await value(registry, 'meshwork_messages_delivered_total', labels)).toBe(1);
    expect(
      await value(registry, 'meshwork_message_delivery_latency_seconds', labels, 'meshwork_message_delivery_latency_seconds_sum'),
    ).toBeCloseTo(0.25);
    expect(metrics.totals).toEqual({ published: 1, delivered: 1, failed: 0 });
  });

  it('folds pattern deliveries into the family of the channel they came on', async () => {
    const seen: string[] = [];
    await bus.subscribePattern('simulation:data:*', (_event, channel) => void seen.push(channel));
    await bus.publish('simulation:data:sim-1', event(now));
    await bus.publish('simulation:data:sim-2', event(now));
    await waitFor(() => seen.length === 2);
    expect(await value(registry, 'meshwork_messages_delivered_total', { family: 'simulation:data:*' })).toBe(2);
    expect(await value(registry, 'meshwork_subscriptions', { family: 'simulation:data:*' })).toBe(1);
  });

  it('counts handlers that throw or reject, and keeps delivering to the others', async () => {
    const seen: DomainEvent[] = [];
    await bus.subscribe('auth:events:login', () => {
      throw new Error('boom');
    });
    await bus.subscribe('auth:events:login', () => Promise.reject(new Error('later boom')));
    await bus.subscribe('auth:events:login', (received) => void seen.push(received));
    await bus.publish('auth:events:login', event(now));
    await waitFor(() => seen.length === 1);
    await waitFor(
      async () => (await value(registry, 'meshwork_message_failures_total', { stage: 'handler' })) === 2,
      2_000,
      'two handler failures',
    );
  });

  it('counts a publish that fails, and rethrows it', async () => {
    await expect(bus.publish('auth:events:login', event(now, { amount: 1n }))).rejects.toThrow();
    expect(await value(registry, 'meshwork_message_failures_total', { family: 'auth:events:login', stage: 'publish' })).toBe(1);
    expect(await value(registry, 'meshwork_messages_published_total', { family: 'auth:events:login' })).toBe(0);
  });

  it('counts a subscription while it lives, once however often it is ended', async () => {
    const subscription = await bus.subscribePattern('auth:events:*', () => undefined);
    expect(await value(registry, 'meshwork_subscriptions', { family: 'auth:events:*' })).toBe(1);
    await subscription.unsubscribe();
    await subscription.unsubscribe();
    expect(await value(registry, 'meshwork_subscriptions', { family: 'auth:events:*' })).toBe(0);
  });
});

describe('the instrumented stream store', () => {
  it('counts appends and reads per family, with the latency from the entry id', async () => {
    const registry = new Registry();
    const metrics = new MessagingMetrics(registry, new Set());
    const clock = new ManualClock(5_000_000);
    const store = new InstrumentedStreamStore(new InMemoryStreamStore(clock), metrics, () => clock.now());
    await store.append('simulation:stream:a1', { step: '1' });
    await store.appendBatch('simulation:stream:b2', [{ step: '1' }, { step: '2' }]);
    clock.advance(40);
    expect(await store.read('simulation:stream:b2', '0', { count: 10 })).toHaveLength(2);

    const labels = { family: 'simulation:stream:*', transport: 'stream' };
    expect(await value(registry, 'meshwork_messages_published_total', labels)).toBe(3);
    expect(await value(registry, 'meshwork_messages_delivered_total', labels)).toBe(2);
    expect(
      await value(registry, 'meshwork_message_delivery_latency_seconds', labels, 'meshwork_message_delivery_latency_seconds_sum'),
    ).toBeCloseTo(0.08);
  });

  it('counts group reads, and a read that fails', async () => {
    const registry = new Registry();
    const metrics = new MessagingMetrics(registry, new Set(['async:email:queue']));
    const store = new InstrumentedStreamStore(new InMemoryStreamStore(), metrics);
    await store.ensureGroup('async:email:queue', 'workers');
    await store.append('async:email:queue', { job: 'welcome' });
    expect(await store.readGroup('async:email:queue', 'workers', 'w1', { count: 10 })).toHaveLength(1);
    await expect(store.readGroup('async:email:queue', 'nobody', 'w1', { count: 10 })).rejects.toThrow();

    expect(await value(registry, 'meshwork_messages_delivered_total', { family: 'async:email:queue' })).toBe(1);
    expect(await value(registry, 'meshwork_message_failures_total', { family: 'async:email:queue', stage: 'read' })).toBe(1);
  });
});
